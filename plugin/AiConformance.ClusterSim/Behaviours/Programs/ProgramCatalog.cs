using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// Images whose process a component of the simulation provides (an exporter's DaemonSet image runs the exporter the
/// component models), registered when the component starts.
/// </summary>
public sealed class InstalledPrograms
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IContainerProgram> byImageGlob = new(StringComparer.Ordinal);

    public void Install(string imageGlob, IContainerProgram program) => byImageGlob[imageGlob] = program;

    public IContainerProgram? For(string image) =>
        byImageGlob.Where(entry => Glob.Matches(entry.Key, image)).Select(entry => entry.Value).FirstOrDefault();
}

/// <summary>
/// Decides what a container runs: the plugin's own workload role (real code), else a component's program for its
/// image, else the first matching scenario
/// rule, else the shell utilities for an explicit command, else the image's default process (runs until stopped).
/// </summary>
public static class ProgramCatalog
{
    /// <summary>Images that are the plugin's own (the kubelet component's <c>pluginImage</c> option overrides it).</summary>
    public const string DefaultPluginImage = "*ai-conformance*";

    public static IContainerProgram Resolve(Scenario scenario, string image, IReadOnlyList<string> commandLine, string pluginImagePattern,
        InstalledPrograms? installed = null)
    {
        if (WorkloadRolePrograms.Resolve(commandLine, Glob.Matches(pluginImagePattern, image)) is { } role) return role;
        if (installed?.For(image) is { } component) return component;
        if ((scenario.Programs ?? []).FirstOrDefault(rule => ScenarioRuleProgram.Matches(rule, image, commandLine)) is { } modelled)
            return new ScenarioRuleProgram(modelled);
        return ShellProgram.For(commandLine) as IContainerProgram ?? RunsUntilStopped.Instance;
    }
}
