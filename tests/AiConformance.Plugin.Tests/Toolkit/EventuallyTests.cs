using System.Net;
using System.Runtime.CompilerServices;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;
using NUnit.Framework.Internal;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class EventuallyTests
{
    private static V1Pod Pod(string name, string phase) => new() { Metadata = new V1ObjectMeta { Name = name }, Status = new V1PodStatus { Phase = phase } };

    /// <summary>A list answered with <paramref name="listed"/>, then a watch that plays <paramref name="events"/> and stays open.</summary>
    private static Watchable<V1Pod> Source(IList<V1Pod> listed, params (WatchEventType, V1Pod)[] events) => new(
        _ => Task.FromResult<(IList<V1Pod>, string?)>((listed, "1")),
        (_, _, _, token) => Play(events, token));

    /// <summary>
    /// The first list answers <paramref name="first"/> and its watch breaks with <paramref name="breaks"/>; every later
    /// list answers <paramref name="later"/>, and its watch stays open.
    /// </summary>
    private static Watchable<V1Pod> BreakingOnce(Exception breaks, IList<V1Pod> first, IList<V1Pod> later)
    {
        var lists = 0;
        return new(
            _ => Task.FromResult<(IList<V1Pod>, string?)>((++lists == 1 ? first : later, $"{lists}")),
            (_, _, _, token) => lists == 1 ? Break(breaks) : Play([], token));
    }

    private static async IAsyncEnumerable<(WatchEventType, V1Pod)> Break(Exception error)
    {
        await Task.Yield();
        if (error is not null) throw error;
        yield break;
    }

    public static IEnumerable<TestCaseData> TransportErrors() =>
    [
        new TestCaseData(new HttpRequestException("Error while copying content to a stream.", new EndOfStreamException())).SetArgDisplayNames("cut before the first event"),
        new TestCaseData(new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.")).SetArgDisplayNames("cut in the middle of a chunk"),
        new TestCaseData(new HttpProtocolException(2, "The HTTP/2 server reset the stream. HTTP/2 error code 'INTERNAL_ERROR' (0x2).", null)).SetArgDisplayNames("HTTP/2 stream reset"),
        new TestCaseData(new IOException("Connection reset by peer")).SetArgDisplayNames("connection reset"),
        new TestCaseData(Answer(HttpStatusCode.ServiceUnavailable)).SetArgDisplayNames("503"),
    ];

    private static HttpOperationException Answer(HttpStatusCode status) => new($"Operation returned an invalid status code '{status}'")
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(status), ""),
    };

    private static string EvidenceSoFar() => TestExecutionContext.CurrentContext.CurrentResult.Output;

    [TestCaseSource(nameof(TransportErrors))]
    public async Task AWatchThatBreaksIsListedAgainAndResumedAndTheEvidenceSaysSo(Exception breaks)
    {
        var source = BreakingOnce(breaks, [Pod("a", "Pending")], [Pod("a", "Running")]);

        var seen = await Wait.For(source).Until("pod a to run", pods => pods.All(pod => pod.Status.Phase == "Running"))
            .DescribedBy(PodWaits.Describe).Within(TimeSpan.FromSeconds(30)).Async(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(seen.Single().Status.Phase, Is.EqualTo("Running"));
            Assert.That(EvidenceSoFar(), Does.Contain("resumed 1 dropped stream while waiting for pod a to run: " + breaks.GetType().Name));
        });
    }

    [Test]
    public async Task AListThatBreaksIsListedAgain()
    {
        var lists = 0;
        var source = new Watchable<V1Pod>(
            _ => ++lists == 1
                ? throw new HttpRequestException("An error occurred while sending the request.", new IOException("Connection reset by peer"))
                : Task.FromResult<(IList<V1Pod>, string?)>(([Pod("a", "Running")], "2")),
            (_, _, _, token) => Play([], token));

        var seen = await Wait.For(source).Until("pod a to exist", pods => pods.Count == 1).DescribedBy(PodWaits.Describe).Within(TimeSpan.FromSeconds(30)).Async(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((seen.Count, lists), Is.EqualTo((1, 2)));
            Assert.That(EvidenceSoFar(), Does.Contain("resumed 1 dropped stream while waiting for pod a to exist: HttpRequestException (IOException)"));
        });
    }

    [Test]
    public void AnErrorThatIsNoTransportErrorIsNotHidden()
    {
        var forbidden = BreakingOnce(Answer(HttpStatusCode.Forbidden), [Pod("a", "Pending")], [Pod("a", "Running")]);
        var bug = BreakingOnce(new InvalidOperationException("a bug"), [Pod("a", "Pending")], [Pod("a", "Running")]);

        Assert.Multiple(() =>
        {
            Assert.ThrowsAsync<HttpOperationException>(() => Wait.For(forbidden).Until("pod a to run", pods => pods.All(pod => pod.Status.Phase == "Running"))
                .Within(TimeSpan.FromSeconds(30)).Async(CancellationToken.None));
            Assert.ThrowsAsync<InvalidOperationException>(() => Wait.For(bug).Until("pod a to run", pods => pods.All(pod => pod.Status.Phase == "Running"))
                .Within(TimeSpan.FromSeconds(30)).Async(CancellationToken.None));
        });
    }

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

        var seen = await Wait.For(source).Until("pod a to run", pods => pods.All(pod => pod.Status.Phase == "Running"))
            .DescribedBy(PodWaits.Describe).Within(TimeSpan.FromSeconds(5)).Async(CancellationToken.None);

        Assert.That(seen.Single().Status.Phase, Is.EqualTo("Running"));
    }

    [Test]
    public void DeadlineFailsWithWhatWasAwaitedAndTheLastStateSeen()
    {
        var source = Source([Pod("a", "Pending")]);

        var failure = Assert.ThrowsAsync<AssertionException>(() => Wait.For(source).Until("pod a to run", pods => pods.All(pod => pod.Status.Phase == "Running"))
            .DescribedBy(PodWaits.Describe).Within(TimeSpan.FromMilliseconds(300)).Async(CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("waited 0.3 s for pod a to run").And.Contain("a: Pending"));
    }

    [Test]
    public void ControlThatStopsHoldingFailsAtOnce()
    {
        var source = Source([Pod("a", "Pending")], (WatchEventType.Modified, Pod("a", "Running")));

        var failure = Assert.ThrowsAsync<AssertionException>(() => Wait.For(source).Holding("pod a to stay Pending", pods => pods.All(pod => pod.Status.Phase == "Pending"))
            .DescribedBy(PodWaits.Describe).Within(TimeSpan.FromSeconds(30)).Async(CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("stopped holding").And.Contain("a: Running"));
    }

    [Test]
    public async Task ControlThatHoldsForThePeriodPasses()
    {
        var source = Source([Pod("a", "Pending")]);

        var seen = await Wait.For(source).Holding("pod a to stay Pending", pods => pods.All(pod => pod.Status.Phase == "Pending"))
            .DescribedBy(PodWaits.Describe).Within(TimeSpan.FromMilliseconds(300)).Async(CancellationToken.None);

        Assert.That(seen.Single().Status.Phase, Is.EqualTo("Pending"));
    }

    [Test]
    public async Task DeletedObjectsLeaveTheSeenSet()
    {
        var source = Source([Pod("a", "Running"), Pod("b", "Running")], (WatchEventType.Deleted, Pod("a", "Running")));

        var seen = await Wait.For(source).Until("pod a to be deleted", pods => pods.Count == 1).DescribedBy(PodWaits.Describe)
            .Within(TimeSpan.FromSeconds(5)).Async(CancellationToken.None);

        Assert.That(seen.Select(pod => pod.Metadata.Name), Is.EqualTo(new[] { "b" }));
    }
}
