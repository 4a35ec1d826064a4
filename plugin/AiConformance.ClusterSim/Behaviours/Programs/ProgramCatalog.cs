using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// Decides what a container runs: the plugin's own workload role (real code), else the first matching scenario
/// rule, else the shell utilities for an explicit command, else the image's default process (runs until stopped).
/// </summary>
public static class ProgramCatalog
{
    /// <summary>Images that are the plugin's own (the kubelet component's <c>pluginImage</c> option overrides it).</summary>
    public const string DefaultPluginImage = "*ai-conformance*";

    public static IContainerProgram Resolve(Scenario scenario, string image, IReadOnlyList<string> commandLine, string pluginImagePattern)
    {
        if (WorkloadRolePrograms.Resolve(commandLine, Glob.Matches(pluginImagePattern, image)) is { } role) return role;
        if ((scenario.Programs ?? []).FirstOrDefault(rule => ScenarioRuleProgram.Matches(rule, image, commandLine)) is { } modelled)
            return new ScenarioRuleProgram(modelled);
        return ShellProgram.For(commandLine) as IContainerProgram ?? RunsUntilStopped.Instance;
    }
}
