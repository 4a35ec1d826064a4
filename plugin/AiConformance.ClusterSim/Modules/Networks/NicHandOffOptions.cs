using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Networks;

/// <summary>How a broken NIC hand-off misbehaves; the default members are a working one's.</summary>
public interface INicFault
{
    /// <summary>False: the claim is allocated and the pod runs, but its interface is never moved into the pod.</summary>
    bool MovesInterfaces => true;
}

/// <summary>The named faults of the <c>dranet</c> component (<c>fault:</c> option).</summary>
public static class NicFaults
{
    public static readonly INicFault None = new Working();

    private static readonly Dictionary<string, INicFault> ByName = new(StringComparer.Ordinal)
    {
        ["no-interface"] = new InterfaceNeverMoved(),
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGet(string name, out INicFault? fault) => ByName.TryGetValue(name, out fault);

    private sealed class Working : INicFault;

    private sealed class InterfaceNeverMoved : INicFault
    {
        public bool MovesInterfaces => false;
    }
}

/// <summary>Options of the <c>dranet</c> component: only, for broken scenarios, its fault.</summary>
public sealed record NicHandOffOptions(INicFault Fault)
{
    private static readonly string[] Known = ["fault"];

    public static (NicHandOffOptions Options, IReadOnlyList<string> Problems) Bind(ComponentOptions? component)
    {
        var values = component?.Options ?? [];
        var problems = values.Keys.Where(key => !Known.Contains(key, StringComparer.Ordinal))
            .Select(key => $"unknown option '{key}'; known: {string.Join(", ", Known)}").ToList();
        INicFault? fault = null;
        if (values.TryGetValue("fault", out var faultName) && !NicFaults.TryGet(faultName, out fault))
            problems.Add($"fault '{faultName}' is not a dranet fault; known: {string.Join(", ", NicFaults.Names)}");
        return (new NicHandOffOptions(fault ?? NicFaults.None), problems);
    }
}
