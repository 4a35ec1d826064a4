using System.Threading.Channels;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// A level-triggered controller: it reconciles the whole state it owns once at start, again after any committed
/// change to a kind it watches (changes arriving together are coalesced into one pass), and when a pass asked to be
/// requeued (for a latency that has not yet elapsed). A failed pass is logged and retried; it never stops the cluster.
/// </summary>
public abstract class ReconcilingBehaviour : IClusterBehaviour
{
    private readonly object gate = new();
    // Every pass asked for by time; a pass triggered by a change keeps them, the due ones are dropped as they fire.
    private readonly SortedSet<DateTime> requeues = [];
    private TaskCompletionSource wakeup = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public abstract string Name { get; }

    /// <summary>The kinds whose changes trigger a pass.</summary>
    protected abstract IReadOnlyCollection<ResourceKind> Watches { get; }

    protected SimulatedCluster Cluster { get; private set; } = null!;

    protected IClusterStore Store => Cluster.Store;

    /// <summary>One pass over everything this component owns.</summary>
    protected abstract Task ReconcileAsync(CancellationToken cancellationToken);

    /// <summary>Asks for another pass after <paramref name="delay"/> even if nothing changes.</summary>
    protected void RequeueAfter(TimeSpan delay)
    {
        var at = DateTime.UtcNow + (delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        lock (gate) requeues.Add(at);
    }

    public async Task RunAsync(SimulatedCluster cluster, CancellationToken cancellationToken)
    {
        Cluster = cluster;
        try
        {
            await LoopAsync(cancellationToken);
        }
        finally
        {
            Stopped();
        }
    }

    /// <summary>Called once when the component stops, to end what it started outside the store (simulated processes).</summary>
    protected virtual void Stopped()
    {
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var watched = Watches.ToHashSet();
        var events = Store.Watch(null, Store.ResourceVersion, cancellationToken);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var message = $"reconcile failed ({e.GetType().Name}: {e.Message}); retrying";
                if (IsRaceWithOtherWriters(e)) Cluster.Log.Info(Name, message);
                else Cluster.Log.Warn(Name, message);
                RequeueAfter(TimeSpan.FromMilliseconds(Math.Min(2000, 20 * Math.Pow(2, Math.Min(failures, 7)))));
            }
            if (!await WaitForWorkAsync(events, watched, cancellationToken)) return;
            if (Cluster.Latencies.Controller > TimeSpan.Zero && IsController)
                await Task.Delay(Cluster.Latencies.Controller, cancellationToken);
        }
    }

    /// <summary>
    /// What a real controller meets in its daily life and retries: an object changed or deleted by someone else since it
    /// was read (409, 404), or a namespace that started terminating while it was creating content there.
    /// </summary>
    private static bool IsRaceWithOtherWriters(Exception e) =>
        e is StatusException { Code: 404 or 409 } || e is StatusException { Code: 403 } forbidden && forbidden.Message.Contains("being terminated", StringComparison.Ordinal);

    /// <summary>Controllers wait the scenario's controller latency before acting; kubelet and scheduler have their own.</summary>
    protected virtual bool IsController => true;

    private async Task<bool> WaitForWorkAsync(ChannelReader<StoreEvent> events, HashSet<ResourceKind> watched, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Drain(events, watched)) return true;
            DateTime? due;
            Task woken;
            lock (gate)
            {
                var now = DateTime.UtcNow;
                if (requeues.Count > 0 && requeues.Min <= now)
                {
                    requeues.RemoveWhere(at => at <= now);
                    return true;
                }
                due = requeues.Count > 0 ? requeues.Min : null;
                woken = wakeup.Task;
            }
            var wait = due is { } next ? TimeSpan.FromTicks(Math.Max(0, (next - DateTime.UtcNow).Ticks)) : Timeout.InfiniteTimeSpan;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var readable = events.WaitToReadAsync(stop.Token).AsTask();
            var timer = Task.Delay(wait, stop.Token);
            var first = await Task.WhenAny(readable, timer, woken);
            await stop.CancelAsync();
            if (cancellationToken.IsCancellationRequested) return false;
            if (first == woken) return true;
            if (first == timer) continue;
            if (readable.IsCompletedSuccessfully && !readable.Result) return false;
        }
    }

    /// <summary>Asks for a pass now, from outside a pass (a simulated process exited).</summary>
    protected void Wake()
    {
        lock (gate)
        {
            requeues.Add(DateTime.UtcNow);
            wakeup.TrySetResult();
            wakeup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private static bool Drain(ChannelReader<StoreEvent> events, HashSet<ResourceKind> watched)
    {
        var relevant = false;
        while (events.TryRead(out var change)) relevant |= watched.Contains(change.Kind);
        return relevant;
    }
}
