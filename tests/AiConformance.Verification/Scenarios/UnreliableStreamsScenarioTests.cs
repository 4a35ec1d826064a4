using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// The Suite on a conformant cluster whose watch and log streams break and whose watch events arrive late
/// (<c>healthy/unreliable-streams</c>): every requirement keeps its reference outcome, and the evidence shows that the
/// faults reached the Suite and that it resumed the streams. (<see cref="HealthyScenariosTests"/> checks every healthy
/// variant more loosely, on the same runs.)
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UnreliableStreamsScenarioTests
{
    private const string Scenario = "healthy/unreliable-streams";

    [Test]
    public async Task EveryRequirementKeepsItsReferenceOutcomeWhenStreamsBreak()
    {
        var checklist = ScenarioRuns.ChecklistFor(ScenarioLoader.Load(Scenario));
        var reference = await ScenarioRuns.OfAsync(ScenarioLoader.DefaultName, checklist);
        var unreliable = await ScenarioRuns.OfAsync(Scenario, checklist);
        var failed = unreliable.Result.Tests.Where(t => t.IsFailure).Select(t => $"{t.Name}: {t.Message}").ToList();
        var resumed = unreliable.Result.Tests.Count(t => t.Output.Contains("- resumed ", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(unreliable.TestedStatuses, Is.EquivalentTo(reference.TestedStatuses),
                $"requirement outcomes changed on {Scenario}\n" + unreliable.Diagnostics());
            Assert.That(failed, Is.Empty, $"tests that failed on {Scenario}\n" + unreliable.Diagnostics());
            Assert.That(resumed, Is.GreaterThan(0), $"no test resumed a stream on {Scenario}: the faults did not reach the Suite\n" + unreliable.Diagnostics());
        });
    }
}
