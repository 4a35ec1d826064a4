using System.Reflection;
using System.Reflection.Emit;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Simulation;

/// <summary>
/// Scenarios are data the simulation reads: the <c>Scenarios</c> namespace of the simulated cluster uses nothing of
/// its behaviours, modules or hosting, so the two layers do not depend on each other. Checked on the compiled
/// assembly: members' signatures, base types and every type, method and field the method bodies' IL refers to.
/// </summary>
public class ScenarioLayerTests
{
    private const string Root = "AiConformance.ClusterSim.";
    private static readonly string[] Simulation = [Root + "Behaviours", Root + "Modules", Root + "Hosting"];

    [Test]
    public void ScenariosReferNothingOfTheSimulation() =>
        Assert.That(References(from: Root + "Scenarios", to: Simulation), Is.Empty,
            "the Scenarios namespace must stay data, parsing and the checks its text allows; checks against what the simulation knows belong to the simulation's side");

    /// <summary>The control: the scan does see the simulation's references when they are there (the host builds its behaviours from the catalog, in method bodies only).</summary>
    [Test]
    public void TheScanSeesReferencesMadeInMethodBodies() =>
        Assert.That(References(from: Root + "Hosting", to: [Root + "Behaviours"]),
            Has.Some.Contains("-> " + Root + "Behaviours.BehaviourCatalog"));

    private static List<string> References(string from, IReadOnlyList<string> to) =>
    [
        .. typeof(Scenario).Assembly.GetTypes()
            .Where(type => In(type, [from]))
            .SelectMany(type => ReferencedTypes(type).Where(referenced => In(referenced, to)).Select(referenced => $"{type.FullName} -> {referenced.FullName}"))
            .Distinct()
            .Order(StringComparer.Ordinal),
    ];

    private static bool In(Type type, IReadOnlyList<string> namespaces) =>
        type.Namespace is { } ns && namespaces.Any(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal));

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var direct = new List<Type?> { type.BaseType };
        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(Declared).Select(field => field.FieldType));
        direct.AddRange(type.GetProperties(Declared).Select(property => property.PropertyType));
        var methods = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)).ToList();
        foreach (var method in methods)
        {
            if (method is MethodInfo info) direct.Add(info.ReturnType);
            direct.AddRange(method.GetParameters().Select(parameter => parameter.ParameterType));
            direct.AddRange(method.GetMethodBody()?.LocalVariables.Select(local => local.LocalType) ?? []);
            direct.AddRange(BodyReferences(method));
        }
        return direct.OfType<Type>().SelectMany(Unwrapped).Distinct();
    }

    /// <summary>A type with its element type and generic arguments (<c>List&lt;Component&gt;</c> refers to Component).</summary>
    private static IEnumerable<Type> Unwrapped(Type type)
    {
        yield return type;
        if (type.HasElementType) foreach (var inner in Unwrapped(type.GetElementType()!)) yield return inner;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var inner in type.GetGenericArguments().SelectMany(Unwrapped)) yield return inner;
    }

    /// <summary>The types, and the declaring types of the methods and fields, that a method's IL refers to by token.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var opCode = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += opCode.Size;
            var operand = at;
            at += OperandSize(opCode.OperandType, il, operand);
            if (opCode.OperandType is not (OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)) continue;
            var member = method.Module.ResolveMember(BitConverter.ToInt32(il, operand), typeArguments, methodArguments);
            switch (member)
            {
                case Type referenced:
                    yield return referenced;
                    break;
                case MethodBase called:
                    if (called.DeclaringType is { } owner) yield return owner;
                    if (called.IsGenericMethod) foreach (var argument in called.GetGenericArguments()) yield return argument;
                    break;
                case FieldInfo field:
                    if (field.DeclaringType is { } holder) yield return holder;
                    yield return field.FieldType;
                    break;
            }
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static ScenarioLayerTests()
    {
        foreach (var opCode in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => (OpCode)field.GetValue(null)!))
        {
            var value = (ushort)opCode.Value;
            if (opCode.Size == 1) OneByte[value] = opCode;
            else TwoByte[value & 0xFF] = opCode;
        }
    }
}
