namespace AiConformance.Suite.Framework;

/// <summary>
/// Nodes a running test needs other tests to stay off while it watches them (an autoscaler shrinking its pool back).
/// While any are kept, <see cref="TestNamespace.CreateAsync{T}"/> keeps every pod the other tests create off them
/// (<see cref="PodPlacementGuard"/>) and <see cref="AcceleratorInventory"/> leaves them out, so no test picks one.
/// </summary>
public sealed class NodesKeptFree
{
    private readonly object gate = new();
    private readonly List<IReadOnlyList<string>> kept = [];

    /// <summary>Every node kept free now.</summary>
    public IReadOnlySet<string> Nodes
    {
        get { lock (gate) { return kept.SelectMany(nodes => nodes).ToHashSet(StringComparer.Ordinal); } }
    }

    /// <summary>Keeps <paramref name="nodes"/> free until the returned handle is disposed.</summary>
    public IDisposable Keep(IEnumerable<string> nodes)
    {
        IReadOnlyList<string> entry = [.. nodes];
        lock (gate) { kept.Add(entry); }
        return new Handle(() => { lock (gate) { kept.Remove(entry); } });
    }

    private sealed class Handle(Action release) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) release();
        }
    }
}
