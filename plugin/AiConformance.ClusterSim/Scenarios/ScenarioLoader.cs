using System.Reflection;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Server;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AiConformance.ClusterSim.Scenarios;

/// <summary>
/// Finds scenarios by embedded name (<c>reference</c>, <c>broken/dra_support-no-driver</c>) or file path, resolves
/// <c>extends</c>, and validates the result. Every problem is one <see cref="ScenarioException"/> naming file and line.
/// </summary>
public static partial class ScenarioLoader
{
    public const string DefaultName = "reference";
    private const string ResourcePrefix = "scenarios/";
    private static readonly string[] KubernetesVersions = ["v1.34", "v1.35", "v1.36"];
    private static IEnumerable<string> Vendors => Modules.Accelerators.Devices.AcceleratorProfiles.Vendors;
    private static readonly string[] Exposures = ["dra", "devicePlugin"];

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

    /// <summary>Loads an embedded scenario by name, or a file when the argument is a path to one.</summary>
    public static Scenario Load(string nameOrFile)
    {
        var chain = new List<ScenarioText>();
        var scenario = LoadUnvalidated(nameOrFile, depth: 0, chain);
        scenario.KubernetesVersion ??= "v1.35";
        scenario.Nodes ??= [];
        scenario.Components ??= BehaviourCatalog.CoreComponents.ToDictionary(n => n, _ => new ComponentOptions());
        scenario.Latencies ??= new Latencies();
        scenario.Faults ??= new ApiFaults();
        scenario.Programs ??= [];
        scenario.RuntimeClasses ??= [];
        Validate(scenario, SourceOf(nameOrFile), chain);
        return scenario;
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
    private static Scenario LoadUnvalidated(string nameOrFile, int depth, List<ScenarioText> chain)
    {
        if (depth > 8) throw new ScenarioException($"{nameOrFile}: `extends` goes more than 8 levels deep; is there a cycle?");
        var (text, source, name) = Read(nameOrFile);
        chain.Add(new ScenarioText(text, source));
        var scenario = Parse(text, source);
        if (scenario.Name.Length == 0) scenario.Name = name;
        if (scenario.Extends is null) return scenario;
        var baseScenario = LoadUnvalidated(ResolveRelative(scenario.Extends, nameOrFile), depth + 1, chain);
        return Overlay(baseScenario, scenario);
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
    private static Scenario Overlay(Scenario baseScenario, Scenario overlay)
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
            baseScenario.Components ??= BehaviourCatalog.CoreComponents.ToDictionary(n => n, _ => new ComponentOptions());
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

    private static void Validate(Scenario scenario, string source, IReadOnlyList<ScenarioText> chain)
    {
        var problems = new List<string>();
        if (!KubernetesVersions.Contains(scenario.KubernetesVersion))
            problems.Add($"kubernetesVersion '{scenario.KubernetesVersion}' is not simulated; use one of {string.Join(", ", KubernetesVersions)}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < scenario.Nodes!.Count; i++)
        {
            var group = scenario.Nodes[i];
            var at = $"nodes[{i}]";
            if (!DnsLabel().IsMatch(group.Name)) problems.Add($"{at}.name '{group.Name}' must be a lowercase DNS label (a-z, 0-9, '-')");
            if (group.Count < 1) problems.Add($"{at}.count must be at least 1");
            if (!names.Add(group.Name)) problems.Add($"{at}.name '{group.Name}' is used twice");
            foreach (var (taint, t) in (group.Taints ?? []).Select((t, j) => (t, j)))
                if (taint.Effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
                    problems.Add($"{at}.taints[{t}].effect '{taint.Effect}' must be NoSchedule, PreferNoSchedule or NoExecute");
            foreach (var (accelerator, a) in (group.Accelerators ?? []).Select((x, j) => (x, j)))
            {
                if (!Vendors.Contains(accelerator.Vendor))
                    problems.Add($"{at}.accelerators[{a}].vendor '{accelerator.Vendor}' is not simulated; use one of {string.Join(", ", Vendors)}");
                if (!Exposures.Contains(accelerator.Via))
                    problems.Add($"{at}.accelerators[{a}].via '{accelerator.Via}' must be one of {string.Join(", ", Exposures)}");
                if (accelerator.Count < 1) problems.Add($"{at}.accelerators[{a}].count must be at least 1");
            }
        }
        problems.AddRange(BehaviourCatalog.Problems(scenario.Components!));
        foreach (var (rule, r) in scenario.Programs!.Select((rule, r) => (rule, r)).Where(entry => entry.rule.GpuUtilization is < 0 or > 100))
            problems.Add($"programs[{r}].gpuUtilization {rule.GpuUtilization} must be a percentage from 0 to 100");
        foreach (var (name, spec) in scenario.RuntimeClasses!)
            if (!ContainerRuntimes.Knows(spec.Runtime))
                problems.Add($"runtimeClasses.{name}.runtime '{spec.Runtime}' is not a known runtime; known: {string.Join(", ", ContainerRuntimes.Names)}");
        foreach (var (rule, r) in scenario.Programs!.Select((rule, r) => (rule, r)))
        foreach (var (answer, a) in (rule.Serves ?? []).Select((answer, a) => (answer, a)))
        {
            var at = $"programs[{r}].serves[{a}]";
            if (answer.Port is < 1 or > 65535) problems.Add($"{at}.port {answer.Port} must be a TCP port from 1 to 65535");
            if (answer.Status is < 100 or > 599) problems.Add($"{at}.status {answer.Status} must be an HTTP status from 100 to 599");
            if (answer.Path is { } path && !path.StartsWith('/')) problems.Add($"{at}.path '{path}' must start with '/'");
            if ((rule.Serves ?? []).Take(a).Any(other => other.Port == answer.Port && other.Path == answer.Path))
                problems.Add($"{at} answers port {answer.Port}, {(answer.Path is null ? "every path" : "path " + answer.Path)}, a second time");
        }
        if (scenario.Faults!.ApiErrorRate is < 0 or > 1) problems.Add("faults.apiErrorRate must be between 0 and 1");
        foreach (var code in scenario.Faults.Codes.Where(c => c is not (500 or 429 or 503 or 504)))
            problems.Add($"faults.errorCode{(scenario.Faults.ErrorCodes is null ? "" : "s")} {code} must be 500, 429, 503 or 504");
        foreach (var (requirement, status) in scenario.Expect ?? [])
        {
            if (!RequirementId().IsMatch(requirement)) problems.Add($"expect.{requirement} is not a requirement id (lowercase words joined by '_')");
            if (!Scenario.ExpectedStatuses.Contains(status))
                problems.Add($"expect.{requirement} '{status}' must be one of {string.Join(", ", Scenario.ExpectedStatuses)}");
        }
        if (scenario.Faults.CutStreamRate is < 0 or > 1) problems.Add("faults.cutStreamRate must be between 0 and 1");
        if (problems.Count > 0)
            throw new ScenarioException($"{source} ({scenario.Name}) is not a usable scenario:\n  - " +
                                        string.Join("\n  - ", problems.Select(problem => ScenarioLocations.Locate(chain, problem))));
    }

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

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex RequirementId();
}
