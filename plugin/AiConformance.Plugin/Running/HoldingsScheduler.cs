namespace AiConformance.Plugin.Running;

/// <summary>
/// Lets a test start when it conflicts with no running test, at most <c>bound</c> run at once, the accelerator shares
/// of the running tests fit the cluster's units, and no waiting test placed before it in the suite conflicts with it
/// (so a test that holds all accelerators is not starved by a stream of shares). NUnit's workers call
/// <see cref="Acquire"/> just before a test runs, and block there until it may; after a stop every waiting test is let
/// through at once, to end on its cancelled token.
/// </summary>
internal sealed class HoldingsScheduler(int bound, int acceleratorUnits)
{
    private readonly object gate = new(); // a Monitor, not a Lock: waiters use Monitor.Wait
    private readonly List<TestHoldings> running = [];
    private readonly List<TestHoldings> waiting = [];
    private bool stopped;

    public int Bound => bound;

    /// <summary>Ids of the tests running now.</summary>
    public IReadOnlyList<string> Running
    {
        get { lock (gate) { return [.. running.Select(t => t.Id)]; } }
    }

    /// <summary>Ids of the tests waiting for their holdings now.</summary>
    public IReadOnlyList<string> Waiting
    {
        get { lock (gate) { return [.. waiting.Select(t => t.Id)]; } }
    }

    /// <summary>Blocks until <paramref name="test"/> may run (or the run is stopped).</summary>
    public void Acquire(TestHoldings test)
    {
        lock (gate)
        {
            waiting.Add(test);
            while (!stopped && !MayStart(test))
            {
                Monitor.Wait(gate);
            }
            waiting.Remove(test);
            running.Add(test);
        }
    }

    public void Release(string testId)
    {
        lock (gate)
        {
            if (running.RemoveAll(t => t.Id == testId) > 0)
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>Lets every waiting test through: after a stop they end at once on their cancelled token.</summary>
    public void Stop()
    {
        lock (gate)
        {
            stopped = true;
            Monitor.PulseAll(gate);
        }
    }

    private bool MayStart(TestHoldings test) =>
        running.Count < bound
        && !running.Any(test.ConflictsWith)
        && SharesFit(test)
        && !waiting.Any(earlier => earlier.Order < test.Order && earlier.ConflictsWith(test));

    /// <summary>A share larger than the whole cluster still runs, alone among the shares: it then finds out for itself.</summary>
    private bool SharesFit(TestHoldings test)
    {
        if (test.ShareUnits == 0) return true;
        var held = running.Sum(t => t.ShareUnits);
        return held == 0 || held + test.ShareUnits <= acceleratorUnits;
    }
}
