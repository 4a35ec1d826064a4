using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Running;

/// <summary>
/// Lets a test start when it conflicts with no running test, at most <c>bound</c> run at once, the accelerator shares
/// of the running tests fit the cluster's units, and no waiting test that goes before it conflicts with it (so a test
/// that holds all accelerators is not starved by a stream of shares). The tests that must run alone go first: the
/// others wait until each of them has reached the scheduler (or ended unrun), and then behind them. Once such a test
/// gives back what only a phase of it needed (<see cref="GiveBack"/>), the rest run beside its long waits. NUnit's workers call
/// <see cref="Acquire"/> just before a test runs, and block there until it may; after a stop every waiting test is let
/// through at once, to end on its cancelled token.
/// </summary>
internal sealed class HoldingsScheduler(int bound, int acceleratorUnits, IEnumerable<TestHoldings>? tests = null)
{
    private readonly object gate = new(); // a Monitor, not a Lock: waiters use Monitor.Wait
    private readonly List<TestHoldings> running = [];
    private readonly List<TestHoldings> waiting = [];
    /// <summary>Tests of the run that must run alone and have not yet reached the scheduler or ended: the others wait for them.</summary>
    private readonly HashSet<string> aloneToCome = [.. (tests ?? []).Where(t => t.Alone).Select(t => t.Id)];
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
            if (aloneToCome.Remove(test.Id)) Monitor.PulseAll(gate);
            waiting.Add(test);
            while (!stopped && !MayStart(test))
            {
                Monitor.Wait(gate);
            }
            waiting.Remove(test);
            running.Add(test);
        }
    }

    /// <summary>The test ended (or NUnit ended it, or its fixture, without running it).</summary>
    public void Release(string testId)
    {
        lock (gate)
        {
            if ((running.RemoveAll(t => t.Id == testId) > 0) | aloneToCome.Remove(testId))
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>
    /// A running test now holds only <paramref name="kept"/>: tests that conflicted only with what it gave back may
    /// start. Holding more than before is refused, since a test running beside it may hold that already.
    /// </summary>
    public void GiveBack(string testId, IReadOnlyList<Holding> kept)
    {
        lock (gate)
        {
            var index = running.FindIndex(t => t.Id == testId);
            if (index < 0) return;
            var narrowed = running[index] with { Holdings = kept, Everything = false };
            var others = running.Where((_, i) => i != index).ToList();
            if (others.Any(narrowed.ConflictsWith) || (narrowed.ShareUnits > running[index].ShareUnits && !running[index].Alone))
                throw new InvalidOperationException($"test {testId} can only give holdings back: [{narrowed.Describe()}] is more than [{running[index].Describe()}]");
            running[index] = narrowed;
            Monitor.PulseAll(gate);
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
        && (test.Alone || aloneToCome.Count == 0)
        && !running.Any(test.ConflictsWith)
        && SharesFit(test)
        && !waiting.Any(first => first.GoesBefore(test) && first.ConflictsWith(test));

    /// <summary>A share larger than the whole cluster still runs, alone among the shares: it then finds out for itself.</summary>
    private bool SharesFit(TestHoldings test)
    {
        if (test.ShareUnits == 0) return true;
        var held = running.Sum(t => t.ShareUnits);
        return held == 0 || held + test.ShareUnits <= acceleratorUnits;
    }
}
