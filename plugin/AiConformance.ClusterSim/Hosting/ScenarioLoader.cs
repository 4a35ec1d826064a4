using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Hosting;

/// <summary>
/// Loads scenarios by embedded name (<c>reference</c>, <c>broken/dra_support-no-driver</c>) or file path, fully checked:
/// <see cref="ScenarioFiles"/> reads and resolves them, <see cref="ScenarioRules"/> checks what their text allows, and
/// this class what only the simulation knows (its components and their options, container runtimes, accelerator
/// vendors). Every problem is one line of one <see cref="ScenarioException"/>, naming file and line.
/// </summary>
public static class ScenarioLoader
{
    public const string DefaultName = ScenarioFiles.DefaultName;

    /// <summary>Names of the embedded scenarios, e.g. <c>reference</c>, <c>broken/dra_support-no-driver</c>.</summary>
    public static IReadOnlyList<string> EmbeddedNames => ScenarioFiles.EmbeddedNames;

    /// <summary>The embedded broken scenarios: each names the requirement it breaks.</summary>
    public static IReadOnlyList<string> BrokenNames => ScenarioFiles.BrokenNames;

    /// <summary>The embedded healthy variants of reference: conformant clusters of another shape, on which nothing may regress.</summary>
    public static IReadOnlyList<string> HealthyNames => ScenarioFiles.HealthyNames;

    /// <summary>Loads an embedded scenario by name, or a file when the argument is a path to one.</summary>
    public static Scenario Load(string nameOrFile)
    {
        var resolved = ScenarioFiles.Resolve(nameOrFile, BehaviourCatalog.CoreComponents);
        ScenarioRules.ThrowIfAny(resolved, [.. ScenarioRules.Problems(resolved.Scenario), .. SimulationProblems(resolved.Scenario)]);
        return resolved.Scenario;
    }

    /// <summary>Parses scenario text (for tests and tools); <paramref name="source"/> names it in errors.</summary>
    public static Scenario Parse(string yaml, string source) => ScenarioFiles.Parse(yaml, source);

    /// <summary>The text of an embedded scenario, for `sim show` and as a starting point for one's own.</summary>
    public static string? EmbeddedText(string name) => ScenarioFiles.EmbeddedText(name);

    /// <summary>What the scenario names that the simulation does not have, one line each.</summary>
    private static IEnumerable<string> SimulationProblems(Scenario scenario)
    {
        var vendors = AcceleratorProfiles.Vendors;
        foreach (var (group, i) in scenario.Nodes!.Select((group, i) => (group, i)))
        foreach (var (accelerator, a) in (group.Accelerators ?? []).Select((accelerator, a) => (accelerator, a)))
            if (!vendors.Contains(accelerator.Vendor))
                yield return $"nodes[{i}].accelerators[{a}].vendor '{accelerator.Vendor}' is not simulated; use one of {string.Join(", ", vendors)}";
            else if (accelerator.Via == "dra" && !AcceleratorProfiles.Get(accelerator.Vendor).HasDraDriver)
                yield return $"nodes[{i}].accelerators[{a}].via dra: vendor '{accelerator.Vendor}' is simulated with its device plugin only; use via: devicePlugin";
        foreach (var problem in BehaviourCatalog.Problems(scenario.Components!)) yield return problem;
        foreach (var (name, spec) in scenario.RuntimeClasses!)
        {
            if (!ContainerRuntimes.ByName.TryGetValue(spec.Runtime, out var runtime))
                yield return $"runtimeClasses.{name}.runtime '{spec.Runtime}' is not a known runtime; known: {string.Join(", ", ContainerRuntimes.Names)}";
            else
                foreach (var problem in ContainerRuntimes.Problems(runtime, spec.Options ?? [], $"runtimeClasses.{name}.options")) yield return problem;
        }
    }
}
