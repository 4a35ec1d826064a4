using System.Collections.Concurrent;
using System.Text;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// What each container wrote, as the kubelet keeps it: the current instance and the previous one (after a restart),
/// served through the API server's pods/log.
/// </summary>
public sealed class PodLogBook
{
    private readonly ConcurrentDictionary<(string Namespace, string Pod, string Container), Instance> logs = new();

    public void Start(string ns, string pod, string container) =>
        logs.AddOrUpdate((ns, pod, container), _ => new Instance(), (_, old) => new Instance { Previous = old.Current.ToString() });

    public void Append(string ns, string pod, string container, string text)
    {
        var instance = logs.GetOrAdd((ns, pod, container), _ => new Instance());
        lock (instance) instance.Current.Append(text);
    }

    /// <summary>The container's log, or null when the container never ran.</summary>
    public string? Read(string ns, string pod, string container, bool previous = false)
    {
        if (!logs.TryGetValue((ns, pod, container), out var instance)) return null;
        lock (instance) return previous ? instance.Previous : instance.Current.ToString();
    }

    public void Forget(string ns, string pod)
    {
        foreach (var key in logs.Keys.Where(k => k.Namespace == ns && k.Pod == pod)) logs.TryRemove(key, out _);
    }

    private sealed class Instance
    {
        public StringBuilder Current { get; } = new();
        public string? Previous { get; init; }
    }
}
