using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>The devices one container is handed: those of its claims' allocations and those of the device plugin.</summary>
public sealed record HandedDevices(IReadOnlyList<SimulatedDevice> Dra, IReadOnlyList<SimulatedDevice> DevicePlugin)
{
    public IEnumerable<SimulatedDevice> All => Dra.Concat(DevicePlugin);
}

/// <summary>
/// The kubelet's device hand-off: what a container gets from its ResourceClaims (the devices of the allocation
/// results it references) and from the device plugin (free devices of the extended resource it requests, each given
/// to one container until the pod releases it), and the record of it in <see cref="DeviceUsage"/>, as the kubelet's
/// pod-resources API publishes it to metrics exporters.
/// </summary>
public sealed class DeviceHandOff(SimulatedCluster cluster)
{
    // (node, device UUID) -> "pod uid/container" of the container holding a device-plugin device.
    private readonly ConcurrentDictionary<(string Node, string Uuid), string> devicePluginAssignments = new();

    public HandedDevices For(JsonObject pod, string node, JsonObject container) =>
        new(DraDevices(pod, node, container), DevicePluginDevices(pod, node, container));

    /// <summary>Records that the container started with these devices (replacing its previous instance's record).</summary>
    public void Started(JsonObject pod, string node, string container, HandedDevices devices, DateTime at) =>
        cluster.DeviceUsage.Record(new ContainerDeviceUsage(node, pod.Namespace() ?? "", pod.Name(), pod.Uid(), container, [.. devices.All], at));

    /// <summary>The container's process ended: it no longer uses its devices (the device plugin's stay reserved for the pod).</summary>
    public void Exited(string podUid, string container) => cluster.DeviceUsage.Remove(podUid, container);

    /// <summary>The pod is done or gone: its device-plugin devices go back to the node and its usage records end.</summary>
    public void Release(string podUid)
    {
        foreach (var key in devicePluginAssignments.Where(a => a.Value.StartsWith(podUid + "/", StringComparison.Ordinal)).Select(a => a.Key).ToList())
            devicePluginAssignments.TryRemove(key, out _);
        cluster.DeviceUsage.RemovePod(podUid);
    }

    private List<SimulatedDevice> DraDevices(JsonObject pod, string node, JsonObject container)
    {
        var devices = new List<SimulatedDevice>();
        var claimNames = pod.ClaimNames().ToDictionary(c => c.PodClaim, c => c.ClaimName, StringComparer.Ordinal);
        foreach (var reference in (container["resources"]?["claims"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!claimNames.TryGetValue((string?)reference["name"] ?? "", out var claimName) || claimName is null) continue;
            var request = (string?)reference["request"];
            var claim = cluster.Store.Get(Kinds.ResourceClaim, pod.Namespace(), claimName);
            foreach (var result in (claim?["status"]?["allocation"]?["devices"]?["results"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var resultRequest = (string?)result["request"] ?? "";
                if (request is not null && resultRequest != request && !resultRequest.StartsWith(request + "/", StringComparison.Ordinal)) continue;
                if (cluster.Devices.Find(node, (string?)result["driver"] ?? "", (string?)result["device"] ?? "") is { } device) devices.Add(device);
            }
        }
        return devices;
    }

    private List<SimulatedDevice> DevicePluginDevices(JsonObject pod, string node, JsonObject container)
    {
        var owner = $"{pod.Uid()}/{(string?)container["name"]}";
        var given = new List<SimulatedDevice>();
        foreach (var (resource, amount) in ResourceMath.ContainerRequests(container))
        {
            var candidates = cluster.Devices.OnNode(node).Where(d => !d.ViaDra && d.Profile.ExtendedResource == resource).ToList();
            if (candidates.Count == 0) continue;
            var mine = candidates.Where(d => devicePluginAssignments.TryGetValue((node, d.Uuid), out var o) && o == owner).ToList();
            foreach (var device in candidates.Except(mine))
            {
                if (mine.Count >= amount) break;
                if (devicePluginAssignments.TryAdd((node, device.Uuid), owner)) mine.Add(device);
            }
            given.AddRange(mine);
        }
        return given;
    }
}
