using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Objects matched by one selector, as a list (with its resourceVersion) and as a watch from a resourceVersion for at
/// most some seconds.
/// </summary>
public sealed record Watchable<T>(
    Func<CancellationToken, Task<(IList<T> Items, string? ResourceVersion)>> List,
    Func<string?, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>;

/// <summary>
/// Waits by watching, never by sleeping: lists the objects a selector matches, checks the condition, then follows a
/// watch from that list's resourceVersion and checks again on every event. A watch that ends (server timeout,
/// dropped connection, a transport error while reading, 410 Gone) is resumed by listing again. On the deadline the
/// test fails with what was awaited and the last state seen.
/// </summary>
public static class Eventually
{
    /// <summary>Longest single watch request; a fresh list after it catches anything a lost watch missed.</summary>
    private const int WatchWindowSeconds = 30;

    /// <summary>Pause before listing again after a watch failed, so that a failing server is not hammered.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits until <paramref name="satisfied"/> holds for the matched objects; returns them.</summary>
    public static async Task<IReadOnlyList<T>> UntilAsync<T>(
        Watchable<T> source,
        Func<IReadOnlyList<T>, bool> satisfied,
        string waitingFor,
        Func<IReadOnlyList<T>, string> describe,
        TimeSpan timeout,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var (met, seen) = await WatchAsync(source, satisfied, timeout, cancellationToken);
        if (!met)
            Assert.Fail($"waited {Seconds(timeout)} for {waitingFor}; last seen: {describe(seen)}");
        return seen;
    }

    /// <summary>
    /// Checks that <paramref name="holds"/> stays true for the whole <paramref name="period"/> (a negative control:
    /// a pod that must stay Pending, a claim that must stay unallocated); fails as soon as it stops holding.
    /// </summary>
    public static async Task<IReadOnlyList<T>> HoldsAsync<T>(
        Watchable<T> source,
        Func<IReadOnlyList<T>, bool> holds,
        string expectation,
        Func<IReadOnlyList<T>, string> describe,
        TimeSpan period,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var (broke, seen) = await WatchAsync(source, items => !holds(items), period, cancellationToken);
        if (broke)
            Assert.Fail($"expected {expectation} for {Seconds(period)}, but it stopped holding: {describe(seen)}");
        return seen;
    }

    private static async Task<(bool Met, IReadOnlyList<T> Seen)> WatchAsync<T>(
        Watchable<T> source, Func<IReadOnlyList<T>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var until = DateTimeOffset.UtcNow + timeout;
        var objects = new Dictionary<string, T>(StringComparer.Ordinal);
        IReadOnlyList<T> Seen() => [.. objects.Values.OrderBy(item => item.Metadata.Name, StringComparer.Ordinal)];

        try
        {
            while (true)
            {
                string? resourceVersion;
                try
                {
                    var (items, listedVersion) = await source.List(deadline.Token);
                    objects.Clear();
                    foreach (var item in items) objects[item.Metadata.Name] = item;
                    resourceVersion = listedVersion;
                }
                catch (HttpOperationException error) when ((int)error.Response.StatusCode is 429 or >= 500)
                {
                    await Task.Delay(RetryPause, deadline.Token);
                    continue;
                }
                if (condition(Seen())) return (true, Seen());

                var window = (int)Math.Clamp((until - DateTimeOffset.UtcNow).TotalSeconds + 1, 1, WatchWindowSeconds);
                var watchEnded = false;
                try
                {
                    await foreach (var (type, item) in source.Watch(resourceVersion, window, _ => watchEnded = true, deadline.Token))
                    {
                        if (type == WatchEventType.Error) break; // e.g. 410 Gone: list again
                        if (type == WatchEventType.Bookmark || item?.Metadata?.Name is not { } name) continue;
                        if (type == WatchEventType.Deleted) objects.Remove(name);
                        else objects[name] = item;
                        if (condition(Seen())) return (true, Seen());
                    }
                }
                catch (Exception error) when (error is HttpOperationException or HttpRequestException or IOException)
                {
                    // A watch the server ended at its timeout, or a connection cut: the client may see either as an
                    // error while reading the stream. List again and resume within the same deadline.
                    watchEnded = true;
                }
                if (watchEnded) await Task.Delay(RetryPause, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, Seen());
        }
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";
}
