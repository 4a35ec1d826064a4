using System.Reflection;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.Server;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AiConformance.ClusterSim.Scenarios;

/// <summary>
/// Finds scenarios by embedded name (<c>reference</c>, <c>broken/dra_support-no-driver</c>) or file path, parses them
/// and resolves <c>extends</c>. What the text says is checked by <see cref="ScenarioRules"/>; what the simulation
/// knows (components, runtimes, vendors) by the loader of the hosting layer, which is the public entry.
/// </summary>
public static partial class ScenarioFiles
{
    public const string DefaultName = "reference";
    private const string ResourcePrefix = "scenarios/";

    /// <summary>Names of the embedded scenarios, e.g. <c>reference</c>, <c>broken/dra_support-no-driver</c>.</summary>
    public static IReadOnlyList<string> EmbeddedNames { get; } = Assembly.GetExecutingAssembly().GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The embedded broken scenarios: each names the requirement it breaks.</summary>
    public static IReadOnlyList<string> BrokenNames => EmbeddedNames.Where(n => n.StartsWith("broken/", StringComparison.Ordinal)).ToList();

    /// <summary>The embedded healthy variants of reference: conformant clusters of another shape, on which nothing may regress.</summary>
    public static IReadOnlyList<string> HealthyNames => EmbeddedNames.Where(n => n.StartsWith("healthy/", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The scenario an embedded name or a file gives, its <c>extends</c> resolved and unset sections given their defaults;
    /// a scenario that lists no components runs <paramref name="defaultComponents"/>. Not yet checked.
    /// </summary>
    internal static ResolvedScenario Resolve(string nameOrFile, IReadOnlyList<string> defaultComponents)
    {
        var chain = new List<ScenarioText>();
        var scenario = LoadUnvalidated(nameOrFile, depth: 0, chain, defaultComponents);
        scenario.KubernetesVersion ??= "v1.35";
        scenario.Nodes ??= [];
        scenario.Components ??= Enabled(defaultComponents);
        scenario.Latencies ??= new Latencies();
        scenario.Faults ??= new ApiFaults();
        scenario.Programs ??= [];
        scenario.RuntimeClasses ??= [];
        return new ResolvedScenario(scenario, SourceOf(nameOrFile), chain);
    }

    /// <summary>Parses scenario text (for tests and tools); <paramref name="source"/> names it in errors.</summary>
    public static Scenario Parse(string yaml, string source)
    {
        try
        {
            return Deserializer.Deserialize<Scenario?>(yaml) ?? throw ScenarioException.At(source, 0, 0, "the file is empty; start from `aiconformance sim show reference`");
        }
        catch (YamlException e)
        {
            throw ScenarioException.At(source, e.Start.Line, e.Start.Column, Explain(e));
        }
    }

    /// <summary>The text of an embedded scenario, for `sim show` and as a starting point for one's own.</summary>
    public static string? EmbeddedText(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name + ".yaml");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The scenario with its <c>extends</c> resolved; <paramref name="chain"/> gets each file's text, the scenario's own first.</summary>
    private static Scenario LoadUnvalidated(string nameOrFile, int depth, List<ScenarioText> chain, IReadOnlyList<string> defaultComponents)
    {
        if (depth > 8) throw new ScenarioException($"{nameOrFile}: `extends` goes more than 8 levels deep; is there a cycle?");
        var (text, source, name) = Read(nameOrFile);
        chain.Add(new ScenarioText(text, source));
        var scenario = Parse(text, source);
        if (scenario.Name.Length == 0) scenario.Name = name;
        if (scenario.Extends is null) return scenario;
        var baseScenario = LoadUnvalidated(ResolveRelative(scenario.Extends, nameOrFile), depth + 1, chain, defaultComponents);
        return Overlay(baseScenario, scenario, defaultComponents);
    }

    private static (string Text, string Source, string Name) Read(string nameOrFile)
    {
        if (EmbeddedText(nameOrFile) is { } embedded) return (embedded, $"scenario '{nameOrFile}'", nameOrFile);
        if (File.Exists(nameOrFile)) return (File.ReadAllText(nameOrFile), nameOrFile, Path.GetFileNameWithoutExtension(nameOrFile));
        throw new ScenarioException(
            $"no scenario '{nameOrFile}': it is neither a file nor an embedded scenario. Embedded: {string.Join(", ", EmbeddedNames)}");
    }

    private static string ResolveRelative(string extends, string from) =>
        EmbeddedText(extends) is null && File.Exists(from) && !Path.IsPathRooted(extends)
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(from)) ?? "", extends)
            : extends;

    private static string SourceOf(string nameOrFile) => File.Exists(nameOrFile) && EmbeddedText(nameOrFile) is null ? nameOrFile : $"scenario '{nameOrFile}'";

    /// <summary>The overlay's sections replace the base's; components merge by name; programs of the overlay come first.</summary>
    private static Scenario Overlay(Scenario baseScenario, Scenario overlay, IReadOnlyList<string> defaultComponents)
    {
        baseScenario.Name = overlay.Name;
        baseScenario.Description = overlay.Description ?? baseScenario.Description;
        baseScenario.Breaks = overlay.Breaks;
        baseScenario.AlsoAffects = overlay.AlsoAffects;
        baseScenario.Expect = overlay.Expect;
        baseScenario.Extends = overlay.Extends;
        baseScenario.KubernetesVersion = overlay.KubernetesVersion ?? baseScenario.KubernetesVersion;
        baseScenario.Nodes = overlay.Nodes ?? baseScenario.Nodes;
        if (overlay.Components is not null)
        {
            baseScenario.Components ??= Enabled(defaultComponents);
            foreach (var (name, options) in overlay.Components) baseScenario.Components[name] = options;
        }
        baseScenario.Latencies = overlay.Latencies ?? baseScenario.Latencies;
        baseScenario.Faults = overlay.Faults ?? baseScenario.Faults;
        if (overlay.Programs is not null) baseScenario.Programs = [.. overlay.Programs, .. baseScenario.Programs ?? []];
        if (overlay.RuntimeClasses is not null)
        {
            baseScenario.RuntimeClasses ??= [];
            foreach (var (name, spec) in overlay.RuntimeClasses) baseScenario.RuntimeClasses[name] = spec;
        }
        baseScenario.Crds = overlay.Crds ?? baseScenario.Crds;
        baseScenario.EnabledApis = overlay.EnabledApis ?? baseScenario.EnabledApis;
        if (overlay.SuiteConfiguration is not null)
        {
            baseScenario.SuiteConfiguration ??= [];
            foreach (var (key, value) in overlay.SuiteConfiguration) baseScenario.SuiteConfiguration[key] = value;
        }
        return baseScenario;
    }

    private static Dictionary<string, ComponentOptions> Enabled(IEnumerable<string> components) =>
        components.ToDictionary(name => name, _ => new ComponentOptions(), StringComparer.Ordinal);

    /// <summary>YamlDotNet's messages name CLR types; say it in the scenario's own terms.</summary>
    private static string Explain(YamlException e)
    {
        var message = e.InnerException?.Message is { Length: > 0 } inner && e.Message.StartsWith("Exception during deserialization", StringComparison.Ordinal)
            ? inner
            : e.Message;
        var unknown = UnknownProperty().Match(message);
        if (unknown.Success)
            return $"unknown field '{unknown.Groups[1].Value}' in {Section(unknown.Groups[2].Value)} (fields are camelCase; see docs/scenarios.md)";
        return message;
    }

    private static string Section(string typeName) => typeName.Split('.').Last() switch
    {
        "Scenario" => "the scenario",
        "NodeGroup" => "a node group",
        "AcceleratorSpec" => "an accelerator",
        "ComponentOptions" => "a component (use `options:` for its settings)",
        "ProgramRule" => "a program rule",
        "ProgramOutcome" => "a program's `otherwise`",
        "HttpAnswer" => "an HTTP answer of `serves:`",
        var other => other,
    };

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithTypeConverter(new DurationConverter())
        .Build();

    [GeneratedRegex("Property '([^']+)' not found on type '([^']+)'")]
    private static partial Regex UnknownProperty();
}

/// <summary>A scenario with its <c>extends</c> resolved, how errors name it, and the text of each file of its chain.</summary>
internal sealed record ResolvedScenario(Scenario Scenario, string Source, IReadOnlyList<ScenarioText> Chain);
