using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Server;
using AiConformance.ClusterSim.Validation;
using AiConformance.Plugin.Results;
using AiConformance.Plugin.Running;

namespace AiConformance.Verification.Scenarios;

/// <summary>The outcome of running the whole Suite in-process against one scenario, as `aiconformance demo` does.</summary>
public sealed record ScenarioRun(
    Scenario Scenario,
    RunResult Result,
    IReadOnlyList<FidelityViolation> FidelityViolations,
    IReadOnlyCollection<string> SimulationWarnings,
    string Console)
{
    /// <summary>Requirements that some test of the Suite exercised, by id, with their checklist status.</summary>
    public IReadOnlyDictionary<string, RequirementStatus> TestedStatuses =>
        Result.Requirements.Where(r => r.Passed + r.Failed + r.Skipped > 0).ToDictionary(r => r.Id, r => r.Status);

    /// <summary>The status of a requirement of the run's checklist.</summary>
    public RequirementStatus StatusOf(string requirement) => Result.Requirements.Single(r => r.Id == requirement).Status;

    /// <summary>The tests of a requirement, with their outcomes, for a failing assertion's message.</summary>
    public string Outcomes(string requirement) => string.Join("\n", Result.Tests.Where(t => t.RequirementId == requirement)
        .Select(t => $"  {t.Name}: {t.Outcome}: {MessageSummary.Of(t.Message, 200)}"));

    /// <summary>
    /// Runs the Suite against a scenario; optionally with a named checklist, only some requirements, configuration
    /// given as the environment, and a change made to the cluster (as its administrator) before the run.
    /// </summary>
    public static async Task<ScenarioRun> ExecuteAsync(
        string scenarioName, CancellationToken cancellationToken, string? checklist = null, IReadOnlyList<string>? requirements = null,
        IReadOnlyDictionary<string, string>? environment = null, Action<SimulationHost>? prepare = null)
    {
        var scenario = ScenarioLoader.Load(scenarioName);
        var work = Directory.CreateTempSubdirectory("verification-").FullName;
        try
        {
            await using var host = await SimulationHost.StartAsync(scenario, cancellationToken);
            prepare?.Invoke(host);
            var kubeconfig = Path.Combine(work, "plugin.kubeconfig");
            host.Server.WriteKubeconfig(kubeconfig, KubeconfigIdentity.Plugin);
            var console = new StringWriter();
            var result = await ConformanceRun.ExecuteAsync(new RunRequest
            {
                KubeconfigPath = kubeconfig,
                Simulated = true,
                SimulationName = scenario.Name,
                ChecklistVersion = checklist,
                Requirements = requirements ?? [],
                OutputDirectory = Path.Combine(work, "results"),
                Environment = environment ?? new Dictionary<string, string>(),
                ConfigurationDefaults = scenario.SuiteConfiguration,
                Output = console,
                ErrorOutput = console,
            }, cancellationToken);
            return new ScenarioRun(scenario, result, [.. host.Server.FidelityViolations], [.. host.Cluster.Log.Warnings], console.ToString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// What a failing assertion should show: the run's console, the simulation's own complaints, and last (where a
    /// log that keeps only its tail still shows it) every test that did not pass, with its message.
    /// </summary>
    public string Diagnostics() =>
        $"--- run against {Scenario.Name} ---\n{Console}\n--- fidelity violations ---\n{string.Join('\n', FidelityViolations)}\n" +
        $"--- simulation warnings ---\n{string.Join('\n', SimulationWarnings.Distinct().Take(30))}\n" +
        $"--- tests that failed on {Scenario.Name} ---\n{string.Join('\n', Result.Tests.Where(t => t.IsFailure).Select(t => $"  {t.Name}: {t.Outcome}: {MessageSummary.Of(t.Message, 400)}{EvidenceTail(t)}"))}";

    /// <summary>The last lines of a failed test's evidence: the step it was at, and what a stopped wait was waiting for.</summary>
    private static string EvidenceTail(AiConformance.Plugin.Results.TestRecord test) =>
        string.Concat(test.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(6).Select(line => $"\n      | {MessageSummary.Of(line, 300)}"));
}
