namespace AiConformance.ClusterSim.Network;

/// <summary>
/// A pod's network namespace: its address (its own from the node's pod CIDR, or the node's with hostNetwork), and
/// which of its ports have a listener, each on the local port where the simulated process really listens.
/// </summary>
public sealed class PodSandbox(string uid, string ns, string name, string node, string ip, bool hostNetwork)
{
    private readonly Dictionary<int, int> listeners = [];
    private readonly Lock gate = new();

    public string Uid { get; } = uid;
    public string Namespace { get; } = ns;
    public string Name { get; } = name;
    public string Node { get; } = node;
    public string Ip { get; } = ip;
    public bool HostNetwork { get; } = hostNetwork;

    /// <summary>The local port listening for the pod's <paramref name="port"/>, or null when nothing listens there.</summary>
    public int? ListenerOn(int port)
    {
        lock (gate) return listeners.TryGetValue(port, out var local) ? local : null;
    }

    /// <summary>Takes the port for a listener; false when something already listens on it (EADDRINUSE).</summary>
    internal bool TryListen(int port, int localPort)
    {
        lock (gate) return listeners.TryAdd(port, localPort);
    }

    internal void StopListening(int port, int localPort)
    {
        lock (gate)
        {
            if (listeners.TryGetValue(port, out var current) && current == localPort) listeners.Remove(port);
        }
    }

    internal void StopAll()
    {
        lock (gate) listeners.Clear();
    }
}
