using k8s;
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
/// watch from that list's resourceVersion and checks again on every event. A list or watch that breaks (a transport
/// error, a 429 or 5xx answer, an ERROR event such as 410 Gone, a watch the server ends early) is a dropped stream:
/// it is listed again and resumed within the same deadline, and the evidence says so. On the deadline the test fails
/// with what was awaited and the last state seen (see <see cref="Wait"/>, the way tests wait).
/// </summary>
public static class Eventually
{
    /// <summary>Longest single watch request; a fresh list after it catches anything a lost watch missed.</summary>
    private const int WatchWindowSeconds = 30;

    /// <summary>Pause before listing again after a stream dropped, so that a failing server is not hammered.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Whether <paramref name="condition"/> came to hold within <paramref name="timeout"/>, and the objects last seen;
    /// never fails the test (for cleanup, which must not).
    /// </summary>
    public static async Task<(bool Met, IReadOnlyList<T> Seen)> WithinAsync<T>(
        Watchable<T> source, Func<IReadOnlyList<T>, bool> condition, string waitingFor, TimeSpan timeout, CancellationToken cancellationToken,
        Func<IReadOnlyList<T>, string>? describe = null)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var until = DateTimeOffset.UtcNow + timeout;
        var objects = new Dictionary<string, T>(StringComparer.Ordinal);
        IReadOnlyList<T> Seen() => [.. objects.Values.OrderBy(item => item.Metadata.Name, StringComparer.Ordinal)];
        var resumed = new ResumedStreams($"waiting for {waitingFor}");

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
                catch (Exception error) when (TransientErrors.IsDroppedRead(error))
                {
                    resumed.Add(error);
                    await Task.Delay(RetryPause, deadline.Token);
                    continue;
                }
                if (condition(Seen())) return (true, Seen());

                var window = (int)Math.Clamp((until - DateTimeOffset.UtcNow).TotalSeconds + 1, 1, WatchWindowSeconds);
                var watching = System.Diagnostics.Stopwatch.StartNew();
                bool RanItsWindow() => watching.Elapsed >= TimeSpan.FromSeconds(window);
                string? dropped = null;
                try
                {
                    await foreach (var (type, item) in source.Watch(resourceVersion, window, error => dropped ??= TransientErrors.Describe(error), deadline.Token))
                    {
                        if (type == WatchEventType.Error)
                        {
                            dropped ??= "an ERROR event"; // e.g. 410 Gone: list again
                            break;
                        }
                        if (type == WatchEventType.Bookmark || item?.Metadata?.Name is not { } name) continue;
                        if (type == WatchEventType.Deleted) objects.Remove(name);
                        else objects[name] = item;
                        if (condition(Seen())) return (true, Seen());
                    }
                    dropped ??= RanItsWindow() ? null : "the server ended the watch early";
                }
                catch (Exception error) when (TransientErrors.IsDroppedRead(error))
                {
                    // The client reports a watch that got no event in its whole window as a stream that ended too soon.
                    dropped ??= RanItsWindow() ? null : TransientErrors.Describe(error);
                }
                if (dropped is null) continue;
                resumed.Add(dropped);
                await Task.Delay(RetryPause, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, Seen());
        }
        catch (OperationCanceledException)
        {
            // The run was stopped (its deadline or a signal): say what this test was still waiting for.
            var seen = describe?.Invoke(Seen()) ?? string.Join(", ", Seen().Select(item => item.Metadata.Name).DefaultIfEmpty("nothing"));
            Evidence.Observed("stopped while waiting", $"for {waitingFor}; last seen: {seen}");
            throw;
        }
        finally
        {
            resumed.WriteEvidence();
        }
    }

}
