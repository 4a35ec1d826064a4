using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// Device plugins (the NVIDIA device plugin and its kind): each advertises its devices on the node as the extended
/// resource (<c>nvidia.com/gpu: 8</c>) in capacity and allocatable; the kubelet hands specific devices to containers.
/// </summary>
public sealed class DevicePluginBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "device-plugins";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Node];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var node in Store.List(Kinds.Node))
        {
            var counts = Cluster.Devices.OnNode(node.Name()).Where(d => !d.ViaDra)
                .GroupBy(d => d.Profile.ExtendedResource).ToDictionary(g => g.Key, g => g.Count().ToString());
            if (counts.Count == 0) continue;
            var allocatable = node["status"]?["allocatable"] as JsonObject;
            if (counts.All(c => (string?)allocatable?[c.Key] == c.Value)) continue;
            Store.Mutate(Kinds.Node, null, node.Name(), n =>
            {
                var status = n.Child("status");
                foreach (var (resource, count) in counts)
                {
                    status.Child("capacity")[resource] = count;
                    status.Child("allocatable")[resource] = count;
                }
            }, statusOnly: true);
        }
        return Task.CompletedTask;
    }
}
