using System.Collections.Concurrent;
using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// Every accelerator of the scenario's nodes, with stable identities (UUIDs derived from node and index, so runs
/// are reproducible), and the device-plugin devices assigned to running containers. Nodes a cluster autoscaler adds
/// or removes while the cluster runs are added and removed with their devices.
/// </summary>
public sealed class DeviceInventory
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<SimulatedDevice>> byNode = new(StringComparer.Ordinal);

    public DeviceInventory(IEnumerable<(string Node, NodeGroup Group)> nodes)
    {
        foreach (var (node, group) in nodes) Add(node, group);
    }

    /// <summary>Installs the accelerators of <paramref name="group"/> in a node (one that joins the cluster).</summary>
    public void Add(string node, NodeGroup group) => byNode[node] = DevicesFor(node, group);

    /// <summary>Forgets the devices of a node that left the cluster.</summary>
    public void Remove(string node) => byNode.TryRemove(node, out _);

    /// <summary>The devices a node of <paramref name="group"/> named <paramref name="node"/> has (also for nodes that do not exist yet).</summary>
    public static IReadOnlyList<SimulatedDevice> DevicesFor(string node, NodeGroup group)
    {
        var devices = new List<SimulatedDevice>();
        var bus = 0x18;
        foreach (var spec in group.Accelerators ?? [])
        {
            var profile = AcceleratorProfiles.Get(spec.Vendor);
            for (var i = 0; i < spec.Count; i++, bus += 0x10)
            {
                var index = devices.Count(d => d.Profile == profile);
                devices.Add(new SimulatedDevice(
                    node, profile, index, profile.DeviceName(index), Uuid(profile.Vendor, node, index),
                    spec.Model ?? profile.DefaultModel, spec.Memory ?? profile.DefaultMemory,
                    $"0000:{bus:X2}:00.0", spec.Via == "dra"));
            }
        }
        return devices;
    }

    public IReadOnlyList<SimulatedDevice> OnNode(string node) => byNode.TryGetValue(node, out var devices) ? devices : [];

    public IEnumerable<SimulatedDevice> All => byNode.Values.SelectMany(d => d);

    public SimulatedDevice? Find(string node, string driver, string name) =>
        OnNode(node).FirstOrDefault(d => d.ViaDra && d.Driver == driver && d.Name == name);

    private static string Uuid(string vendor, string node, int index)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{vendor}/{node}/{index}"));
        var hex = Convert.ToHexString(hash).ToLowerInvariant();
        var body = $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
        return vendor == "nvidia" ? $"GPU-{body}" : $"gpu-{body}";
    }
}
