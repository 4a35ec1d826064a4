using System.Runtime.CompilerServices;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class EventuallyTests
{
    private static V1Pod Pod(string name, string phase) => new() { Metadata = new V1ObjectMeta { Name = name }, Status = new V1PodStatus { Phase = phase } };

    /// <summary>A list answered with <paramref name="listed"/>, then a watch that plays <paramref name="events"/> and stays open.</summary>
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

    [Test]
    public async Task ConditionMetByAWatchEventEndsTheWait()
    {
        var source = Source([Pod("a", "Pending")], (WatchEventType.Modified, Pod("a", "Running")));

        var seen = await Eventually.UntilAsync(source, pods => pods.All(pod => pod.Status.Phase == "Running"),
            "pod a to run", PodWaits.Describe, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.That(seen.Single().Status.Phase, Is.EqualTo("Running"));
    }

    [Test]
    public async Task AWatchCutByATransportErrorIsResumedByListingAgain()
    {
        var lists = 0;
        var source = new Watchable<V1Pod>(
            _ => Task.FromResult<(IList<V1Pod>, string?)>(([Pod("a", ++lists == 1 ? "Pending" : "Running")], "1")),
            (_, _, _, token) => Cut(token));

        var seen = await Eventually.UntilAsync(source, pods => pods.All(pod => pod.Status.Phase == "Running"),
            "pod a to run", PodWaits.Describe, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.That((seen.Single().Status.Phase, lists), Is.EqualTo(("Running", 2)));
    }

    /// <summary>A watch whose stream ends as the client sees a server's timeout or a cut connection: an error while reading.</summary>
    private static async IAsyncEnumerable<(WatchEventType, V1Pod)> Cut([EnumeratorCancellation] CancellationToken token)
    {
        await Task.Yield();
        token.ThrowIfCancellationRequested();
        throw new HttpRequestException("Error while copying content to a stream.", new EndOfStreamException());
#pragma warning disable CS0162 // an iterator needs a yield, even one never reached
        yield break;
#pragma warning restore CS0162
    }

    [Test]
    public void DeadlineFailsWithWhatWasAwaitedAndTheLastStateSeen()
    {
        var source = Source([Pod("a", "Pending")]);

        var failure = Assert.ThrowsAsync<AssertionException>(() => Eventually.UntilAsync(source, pods => pods.All(pod => pod.Status.Phase == "Running"),
            "pod a to run", PodWaits.Describe, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("waited 0.3 s for pod a to run").And.Contain("a: Pending"));
    }

    [Test]
    public void ControlThatStopsHoldingFailsAtOnce()
    {
        var source = Source([Pod("a", "Pending")], (WatchEventType.Modified, Pod("a", "Running")));

        var failure = Assert.ThrowsAsync<AssertionException>(() => Eventually.HoldsAsync(source, pods => pods.All(pod => pod.Status.Phase == "Pending"),
            "pod a to stay Pending", PodWaits.Describe, TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("stopped holding").And.Contain("a: Running"));
    }

    [Test]
    public async Task ControlThatHoldsForThePeriodPasses()
    {
        var source = Source([Pod("a", "Pending")]);

        var seen = await Eventually.HoldsAsync(source, pods => pods.All(pod => pod.Status.Phase == "Pending"),
            "pod a to stay Pending", PodWaits.Describe, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.That(seen.Single().Status.Phase, Is.EqualTo("Pending"));
    }

    [Test]
    public async Task DeletedObjectsLeaveTheSeenSet()
    {
        var source = Source([Pod("a", "Running"), Pod("b", "Running")], (WatchEventType.Deleted, Pod("a", "Running")));

        var seen = await Eventually.UntilAsync(source, pods => pods.Count == 1, "pod a to be deleted", PodWaits.Describe,
            TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.That(seen.Select(pod => pod.Metadata.Name), Is.EqualTo(new[] { "b" }));
    }
}
