using AiConformance.Checklist;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Plugin.Results;
using AiConformance.Plugin.Running;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// Broken scenarios whose requirement is not in the checklist of the simulated cluster's own version (e.g.
/// workload_sandboxing, new in v1.37): that requirement is run alone, with the newest checklist that has it, on
/// reference (must be Implemented) and on the broken scenario (must not be).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NewerChecklistScenarioTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(2);

    public static IEnumerable<TestCaseData> ScenariosOfNewerRequirements() =>
        ScenarioLoader.BrokenNames
            .Select(name => (Name: name, Breaks: ScenarioLoader.Load(name).Breaks ?? ""))
            .Where(entry => !ChecklistOfCluster(ScenarioLoader.Load(entry.Name)).Requirements.Any(requirement => requirement.Id == entry.Breaks))
            .Select(entry => new TestCaseData(entry.Name, entry.Breaks).SetArgDisplayNames(entry.Name));

    [TestCaseSource(nameof(ScenariosOfNewerRequirements))]
    public async Task BrokenScenarioFailsItsRequirementThatTheReferencePasses(string scenarioName, string requirement)
    {
        var checklist = ChecklistCatalog.Versions.Last(version => version.Find(requirement) is not null);

        var onReference = await RunAsync(ScenarioLoader.DefaultName, checklist.Version, requirement);
        var onBroken = await RunAsync(scenarioName, checklist.Version, requirement);

        Assert.Multiple(() =>
        {
            Assert.That(onReference.Status, Is.EqualTo(RequirementStatus.Implemented), $"{requirement} on reference with checklist {checklist.Version}\n{onReference.Console}");
            Assert.That(onBroken.Status, Is.AnyOf(RequirementStatus.NotImplemented, RequirementStatus.PartiallyImplemented),
                $"{scenarioName} breaks {requirement}, yet the Suite reports '{onBroken.Status}'\n{onBroken.Console}");
        });
    }

    private static ChecklistVersion ChecklistOfCluster(Scenario scenario) =>
        ChecklistCatalog.Find(scenario.KubernetesVersion ?? "v1.35") ?? ChecklistCatalog.Newest;

    private static async Task<(RequirementStatus Status, string Console)> RunAsync(string scenarioName, string checklist, string requirement)
    {
        using var limit = new CancellationTokenSource(RunLimit);
        var run = await ScenarioRun.ExecuteAsync(scenarioName, limit.Token, checklist, [requirement]);
        return (run.Result.Requirements.Single(r => r.Id == requirement).Status, run.Diagnostics());
    }
}
