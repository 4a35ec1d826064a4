using System.Collections.Concurrent;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>One running container's accelerators: which devices, whose container, since when.</summary>
public sealed record ContainerDeviceUsage(
    string Node, string Namespace, string Pod, string PodUid, string Container, IReadOnlyList<SimulatedDevice> Devices, DateTime Since);

/// <summary>
/// Which containers use which devices right now, as the kubelets hand them out: what a metrics exporter (DCGM's, a
/// vendor's) reads to label per-device metrics with pod, namespace and container. Containers without devices are not
/// listed.
/// </summary>
public sealed class DeviceUsage
{
    private readonly ConcurrentDictionary<(string PodUid, string Container), ContainerDeviceUsage> current = new();
    // Pod uid -> percent of its devices' compute its running load keeps busy.
    private readonly ConcurrentDictionary<string, int> busy = new();

    public IReadOnlyList<ContainerDeviceUsage> All =>
        [.. current.Values.OrderBy(u => u.Node, StringComparer.Ordinal).ThenBy(u => u.Namespace, StringComparer.Ordinal)
            .ThenBy(u => u.Pod, StringComparer.Ordinal).ThenBy(u => u.Container, StringComparer.Ordinal)];

    public IReadOnlyList<ContainerDeviceUsage> OnNode(string node) => [.. All.Where(u => u.Node == node)];

    /// <summary>The containers using a device now (several when it is shared).</summary>
    public IReadOnlyList<ContainerDeviceUsage> Using(SimulatedDevice device) => [.. All.Where(u => u.Devices.Contains(device))];

    /// <summary>How busy a device is (0-100): the heaviest load among the containers using it.</summary>
    public int Utilization(SimulatedDevice device) =>
        Using(device).Select(u => busy.GetValueOrDefault(u.PodUid)).DefaultIfEmpty(0).Max();

    /// <summary>A program of the pod keeps its devices <paramref name="percent"/> busy until <see cref="Idle"/>.</summary>
    public void Busy(string podUid, int percent) => busy[podUid] = percent;

    public void Idle(string podUid) => busy.TryRemove(podUid, out _);

    internal void Record(ContainerDeviceUsage usage)
    {
        if (usage.Devices.Count == 0) current.TryRemove((usage.PodUid, usage.Container), out _);
        else current[(usage.PodUid, usage.Container)] = usage;
    }

    internal void Remove(string podUid, string container) => current.TryRemove((podUid, container), out _);

    internal void RemovePod(string podUid)
    {
        busy.TryRemove(podUid, out _);
        foreach (var key in current.Keys.Where(k => k.PodUid == podUid)) current.TryRemove(key, out _);
    }
}
