using System.Runtime.CompilerServices;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class WaitTests
{
    private static V1Pod Pod(string name, string phase) => new() { Metadata = new V1ObjectMeta { Name = name }, Status = new V1PodStatus { Phase = phase } };

    private static Watchable<V1Pod> Source(IList<V1Pod> listed, params (WatchEventType, V1Pod)[] events) => new(
        _ => Task.FromResult<(IList<V1Pod>, string?)>((listed, "1")),
        (_, _, _, token) => Play(events, token));

    private static async IAsyncEnumerable<(WatchEventType, V1Pod)> Play((WatchEventType, V1Pod)[] events, [EnumeratorCancellation] CancellationToken token)
    {
        foreach (var item in events)
        {
            await Task.Yield();
            yield return item;
        }
        await Task.Delay(Timeout.Infinite, token);
    }

    private static bool AllRunning(IReadOnlyList<V1Pod> pods) => pods.All(pod => pod.Status.Phase == "Running");

    [Test]
    public async Task AnUntilWaitEndsWhenItsConditionHolds()
    {
        var seen = await Wait.For(Source([Pod("a", "Pending")], (WatchEventType.Modified, Pod("a", "Running"))))
            .Until("pod a to run", AllRunning).DescribedBy(PodWaits.Describe).Within(TimeSpan.FromSeconds(30)).Async(CancellationToken.None);

        Assert.That(seen.Single().Status.Phase, Is.EqualTo("Running"));
    }

    [Test]
    public void AnUntilWaitFailsOnItsDeadlineSayingWhatWasAwaitedAndSeen()
    {
        var failure = Assert.ThrowsAsync<AssertionException>(() => Wait.For(Source([Pod("a", "Pending")]))
            .Until("pod a to run", AllRunning).DescribedBy(PodWaits.Describe).Within(TimeSpan.FromMilliseconds(200)).Async(CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("for pod a to run").And.Contain("a: Pending"));
    }

    [Test]
    public void AHoldingWaitFailsAsSoonAsItsConditionStopsHolding()
    {
        var failure = Assert.ThrowsAsync<AssertionException>(() => Wait.For(Source([Pod("a", "Pending")], (WatchEventType.Modified, Pod("a", "Running"))))
            .Holding("pod a to stay Pending", pods => !AllRunning(pods)).DescribedBy(PodWaits.Describe).Within(TimeSpan.FromSeconds(30))
            .Async(CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("pod a to stay Pending").And.Contain("a: Running"));
    }

    [Test]
    public async Task AHoldingWaitEndsWhenItsPeriodIsOver()
    {
        var seen = await Wait.For(Source([Pod("a", "Pending")]))
            .Holding("pod a to stay Pending", pods => !AllRunning(pods)).Within(TimeSpan.FromMilliseconds(200)).Async(CancellationToken.None);

        Assert.That(seen.Single().Status.Phase, Is.EqualTo("Pending"));
    }

    [Test]
    public void AWaitWithoutItsConditionOrDeadlineIsAMistakeOfTheFixture() =>
        Assert.ThrowsAsync<InvalidOperationException>(() => Wait.For(Source([])).Within(TimeSpan.FromSeconds(1)).Async(CancellationToken.None));
}
