using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// The Suite on a conformant cluster whose watch and log streams break and whose watch events arrive late
/// (<c>healthy/unreliable-streams</c>): every requirement keeps its reference outcome, and the evidence shows that the
/// faults reached the Suite and that it resumed the streams.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UnreliableStreamsScenarioTests
{
    private const string Scenario = "healthy/unreliable-streams";
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(10);

    [Test]
    public async Task EveryRequirementKeepsItsReferenceOutcomeWhenStreamsBreak()
    {
        using var limit = new CancellationTokenSource(RunLimit);
        var reference = await ScenarioRun.ExecuteAsync(ScenarioLoader.DefaultName, limit.Token);
        var unreliable = await ScenarioRun.ExecuteAsync(Scenario, limit.Token);
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
