using AiConformance.Checklist;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Plugin.Results;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// The Suite against each embedded <c>healthy/*</c> scenario: a conformant cluster of another shape than reference
/// (another vendor, a device plugin only, time-sliced GPUs, an unreliable API server, slow components). A false
/// failure there is as bad as a false pass on a broken one: no test may fail, and every requirement Implemented on
/// reference (with the variant's checklist) must come out Implemented, except where the variant declares the outcome
/// its shape warrants (<c>expect:</c>), which it must then meet.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HealthyScenariosTests
{
    public static IEnumerable<TestCaseData> HealthyScenarios() =>
        ScenarioLoader.HealthyNames.Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    [Test]
    public void ThereIsAHealthyVariantAndEachDeclaresOnlyKnownRequirements()
    {
        Assert.That(ScenarioLoader.HealthyNames, Is.Not.Empty, "there is no healthy/* scenario; nothing shows the Suite passes clusters other than reference");
        Assert.Multiple(() =>
        {
            foreach (var name in ScenarioLoader.HealthyNames)
            {
                var scenario = ScenarioLoader.Load(name);
                Assert.That(scenario.Breaks, Is.Null, $"{name} is healthy, yet says it breaks {scenario.Breaks}");
                foreach (var requirement in (scenario.Expect ?? []).Keys)
                    Assert.That(ChecklistCatalog.SectionOf(requirement), Is.Not.Null, $"{name}: expect names '{requirement}', which no checklist knows");
            }
        });
    }

    [Test]
    public void ScenariosExpectTheStatusesOfTheRunner() =>
        Assert.That(Scenario.ExpectedStatuses, Is.EquivalentTo(Enum.GetNames<RequirementStatus>()));

    [TestCaseSource(nameof(HealthyScenarios))]
    public async Task NothingRegressesOnAHealthyVariant(string scenarioName)
    {
        var scenario = ScenarioLoader.Load(scenarioName);
        var checklist = ScenarioRuns.ChecklistFor(scenario);
        var onReference = await ScenarioRuns.OfAsync(ScenarioLoader.DefaultName, checklist);
        var run = await ScenarioRuns.OfAsync(scenarioName, checklist);
        var expected = (scenario.Expect ?? []).ToDictionary(e => e.Key, e => Enum.Parse<RequirementStatus>(e.Value));
        var mayFail = expected.Where(e => e.Value is RequirementStatus.NotImplemented or RequirementStatus.PartiallyImplemented).Select(e => e.Key).ToHashSet();

        Assert.Multiple(() =>
        {
            Assert.That(run.Result.Tests.Where(t => t.IsFailure && !mayFail.Contains(t.RequirementId)).Select(t => $"{t.Name}: {t.Outcome}: {t.Message}"), Is.Empty,
                $"tests that failed on the healthy {scenarioName}\n" + run.Diagnostics());
            foreach (var requirement in run.Result.Requirements)
            {
                var id = requirement.Id;
                if (expected.TryGetValue(id, out var declared))
                    Assert.That(requirement.Status, Is.EqualTo(declared), $"{scenarioName} declares that {id} comes out {declared}\n{run.Outcomes(id)}");
                else if (onReference.StatusOf(id) == RequirementStatus.Implemented)
                    Assert.That(requirement.Status, Is.EqualTo(RequirementStatus.Implemented),
                        $"{id} is Implemented on reference and {scenarioName} still offers it (it declares no other outcome for it)\n{run.Outcomes(id)}");
                else if (requirement.Level == "MUST" && onReference.StatusOf(id).SatisfiesMust())
                    Assert.That(requirement.Status.SatisfiesMust(), Is.True, $"the MUST {id} regressed from {onReference.StatusOf(id)} on {scenarioName}\n{run.Outcomes(id)}");
            }
            Assert.That(run.FidelityViolations, Is.Empty, "the Suite sent fields a real API server would drop\n" + run.Diagnostics());
        });
    }
}
