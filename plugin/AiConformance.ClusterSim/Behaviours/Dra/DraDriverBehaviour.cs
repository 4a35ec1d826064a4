using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Dra;

/// <summary>
/// The DRA drivers' kubelet plugins and Helm charts: one ResourceSlice per node and driver (pool named after the
/// node, owned by the Node), and the drivers' DeviceClasses. Options: <c>deviceClasses: false</c> leaves the
/// classes out; <c>drivers</c> (comma-separated) limits which drivers run.
/// </summary>
public sealed class DraDriverBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "dra-drivers";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Node, Kinds.ResourceSlice, Kinds.DeviceClass];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var options = Cluster.Component(ComponentName);
        var only = options?.Get("drivers")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var devices = Cluster.Devices.All.Where(d => d.ViaDra && (only is null || only.Contains(d.Driver))).ToList();
        if (options?.GetBool("deviceClasses", true) ?? true)
            foreach (var deviceClass in devices.Select(d => d.Profile).Distinct().SelectMany(p => p.DeviceClasses()))
                NodesBehaviour.CreateIfMissing(Store, Kinds.DeviceClass, deviceClass);

        var slices = Store.List(Kinds.ResourceSlice);
        foreach (var group in devices.GroupBy(d => (d.Node, d.Driver)))
        {
            var node = Store.Get(Kinds.Node, null, group.Key.Node);
            if (node is null) continue;
            if (slices.Any(s => (string?)s["spec"]?["nodeName"] == group.Key.Node && (string?)s["spec"]?["driver"] == group.Key.Driver)) continue;
            var entries = new JsonArray();
            foreach (var device in group) entries.Add(device.Profile.SliceDevice(device));
            Store.Create(Kinds.ResourceSlice, new JsonObject
            {
                ["apiVersion"] = "resource.k8s.io/v1",
                ["kind"] = "ResourceSlice",
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{group.Key.Node}-{group.Key.Driver}-{Names.Suffix()}",
                    ["generateName"] = $"{group.Key.Node}-{group.Key.Driver}-",
                    ["ownerReferences"] = new JsonArray(Json.OwnerReference(node)),
                },
                ["spec"] = new JsonObject
                {
                    ["driver"] = group.Key.Driver,
                    ["nodeName"] = group.Key.Node,
                    ["pool"] = new JsonObject { ["name"] = group.Key.Node, ["generation"] = 1, ["resourceSliceCount"] = 1 },
                    ["devices"] = entries,
                },
            });
        }
        return Task.CompletedTask;
    }
}
