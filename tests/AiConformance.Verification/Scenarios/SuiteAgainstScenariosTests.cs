using AiConformance.ClusterSim.Scenarios;
using AiConformance.Plugin.Results;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// The Suite against the simulated clusters: on <c>reference</c> every test passes; on each embedded
/// <c>broken/*</c> scenario exactly the requirement it names comes out not Implemented while every other requirement
/// keeps its reference outcome, except those the scenario declares as depending on the broken capability
/// (<c>alsoAffects</c>). A request with a field a real API server would drop fails either run.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SuiteAgainstScenariosTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);
    private static ScenarioRun? reference;

    public static IEnumerable<TestCaseData> BrokenScenarios() =>
        ScenarioLoader.BrokenNames.Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    private static async Task<ScenarioRun> ReferenceAsync()
    {
        using var limit = new CancellationTokenSource(RunLimit);
        return reference ??= await ScenarioRun.ExecuteAsync(ScenarioLoader.DefaultName, limit.Token);
    }

    [Test, Order(1)]
    public async Task EveryTestPassesOnTheReferenceCluster()
    {
        var run = await ReferenceAsync();
        var failed = run.Result.Tests.Where(t => t.IsFailure).Select(t => $"{t.Name}: {t.Message}").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(run.Result.Tests, Is.Not.Empty, "the Suite ran no test at all against reference\n" + run.Diagnostics());
            Assert.That(failed, Is.Empty, "tests that failed on the conformant reference cluster\n" + run.Diagnostics());
            Assert.That(run.FidelityViolations, Is.Empty, "the Suite sent fields a real API server would drop\n" + run.Diagnostics());
            Assert.That(run.TestedStatuses.Values, Has.All.AnyOf(RequirementStatus.Implemented, RequirementStatus.NotApplicable, RequirementStatus.NeedsAttestation),
                run.Diagnostics());
        });
    }

    [Test, Order(2)]
    public void EveryBrokenScenarioNamesARequirementOfTheChecklist()
    {
        Assert.That(ScenarioLoader.BrokenNames, Is.Not.Empty, "there is no broken/* scenario; the harness cannot show that a fixture can fail");
        Assert.Multiple(() =>
        {
            foreach (var name in ScenarioLoader.BrokenNames)
            {
                var scenario = ScenarioLoader.Load(name);
                Assert.That(scenario.Breaks, Is.Not.Null.And.Not.Empty, $"{name} does not say which requirement it breaks (`breaks:`)");
                Assert.That(AiConformance.Checklist.ChecklistCatalog.SectionOf(scenario.Breaks ?? ""), Is.Not.Null,
                    $"{name} breaks '{scenario.Breaks}', which no checklist knows");
                Assert.That(name, Does.StartWith($"broken/{scenario.Breaks}-"), $"{name} must be named broken/<id>-<what>");
                foreach (var dependent in scenario.AlsoAffects ?? [])
                    Assert.That(AiConformance.Checklist.ChecklistCatalog.SectionOf(dependent), Is.Not.Null, $"{name}: alsoAffects names '{dependent}', which no checklist knows");
            }
        });
    }

    [TestCaseSource(nameof(BrokenScenarios)), Order(3)]
    public async Task BrokenScenarioFailsExactlyTheRequirementItBreaks(string scenarioName)
    {
        var expected = (await ReferenceAsync()).TestedStatuses;
        using var limit = new CancellationTokenSource(RunLimit);
        var run = await ScenarioRun.ExecuteAsync(scenarioName, limit.Token);
        var broken = run.Scenario.Breaks!;
        var statuses = run.Result.Requirements.ToDictionary(r => r.Id, r => r.Status);
        if (!expected.ContainsKey(broken))
            Assert.Inconclusive($"the Suite has no test for {broken} yet, so {scenarioName} cannot be shown to fail it");

        Assert.Multiple(() =>
        {
            Assert.That(statuses[broken], Is.AnyOf(RequirementStatus.NotImplemented, RequirementStatus.PartiallyImplemented),
                $"{scenarioName} breaks {broken}, yet the Suite reports it as '{statuses[broken]}'\n" + run.Diagnostics());
            var dependents = run.Scenario.AlsoAffects ?? [];
            foreach (var (id, status) in expected.Where(e => e.Key != broken && !dependents.Contains(e.Key)))
                Assert.That(statuses.GetValueOrDefault(id), Is.EqualTo(status),
                    $"{id} changed from its reference outcome on {scenarioName}, which breaks only {broken}\n" + run.Diagnostics());
            Assert.That(run.FidelityViolations, Is.Empty, "the Suite sent fields a real API server would drop\n" + run.Diagnostics());
        });
    }
}
