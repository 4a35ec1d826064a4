using AiConformance.Checklist;
using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// Whole-suite runs of scenarios, each made once per test run and checklist version and shared by every test that
/// needs it (reference, and the base each broken or healthy scenario extends).
/// </summary>
public static class ScenarioRuns
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);
    private static readonly Dictionary<(string Scenario, string Checklist), Task<ScenarioRun>> Runs = [];

    public static Task<ScenarioRun> OfAsync(string scenarioName, string checklist)
    {
        lock (Runs)
        {
            if (!Runs.TryGetValue((scenarioName, checklist), out var run))
            {
                run = RunAsync(scenarioName, checklist);
                Runs[(scenarioName, checklist)] = run;
            }
            return run;
        }
    }

    /// <summary>
    /// The checklist a scenario is verified with: its cluster's own version's, unless that lacks the requirement the
    /// scenario is about (e.g. workload_sandboxing, new in v1.37): then the newest that has it.
    /// </summary>
    public static string ChecklistFor(Scenario scenario, string? requirement = null)
    {
        var own = ChecklistCatalog.Find(scenario.KubernetesVersion ?? "v1.35") ?? ChecklistCatalog.Newest;
        return requirement is null || own.Find(requirement) is not null
            ? own.Version
            : ChecklistCatalog.Versions.Last(version => version.Find(requirement) is not null).Version;
    }

    private static async Task<ScenarioRun> RunAsync(string scenarioName, string checklist)
    {
        using var limit = new CancellationTokenSource(RunLimit);
        return await ScenarioRun.ExecuteAsync(scenarioName, limit.Token, checklist);
    }
}
