using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Dra;

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
        var options = Cluster.Options<DraDriverOptions>(ComponentName);
        var devices = Cluster.Devices.All.Where(d => d.ViaDra && (options.Drivers is not { } only || only.Contains(d.Driver))).ToList();
        if (options.DeviceClasses)
            foreach (var deviceClass in devices.Select(d => d.Profile).Distinct().SelectMany(p => p.DeviceClasses()))
                NodesBehaviour.CreateIfMissing(Store, Kinds.DeviceClass, deviceClass);

        var slices = Store.List(Kinds.ResourceSlice);
        foreach (var group in devices.GroupBy(d => (d.Node, d.Driver)))
        {
            var node = Store.Get(Kinds.Node, null, group.Key.Node);
            if (node is null) continue;
            if (slices.Any(s => (string?)s["spec"]?["nodeName"] == group.Key.Node && (string?)s["spec"]?["driver"] == group.Key.Driver)) continue;
            Store.Create(Kinds.ResourceSlice, Slice(node, group.Key.Driver, group));
        }
        return Task.CompletedTask;
    }

    /// <summary>The ResourceSlice a driver publishes for its devices on <paramref name="node"/> (pool named after the node, owned by it).</summary>
    public static JsonObject Slice(JsonObject node, string driver, IEnumerable<Accelerators.Devices.SimulatedDevice> devices)
    {
        var entries = new JsonArray();
        foreach (var device in devices) entries.Add(device.Profile.SliceDevice(device));
        var nodeName = node.Name();
        return new JsonObject
        {
            ["apiVersion"] = "resource.k8s.io/v1",
            ["kind"] = "ResourceSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{nodeName}-{driver}-{Names.Suffix()}",
                ["generateName"] = $"{nodeName}-{driver}-",
                ["ownerReferences"] = new JsonArray(Json.OwnerReference(node)),
            },
            ["spec"] = new JsonObject
            {
                ["driver"] = driver,
                ["nodeName"] = nodeName,
                ["pool"] = new JsonObject { ["name"] = nodeName, ["generation"] = 1, ["resourceSliceCount"] = 1 },
                ["devices"] = entries,
            },
        };
    }
}

/// <summary>
/// The options of the <c>dra-drivers</c> component: <c>drivers</c> (comma-separated; default every driver of the
/// scenario's accelerators) and <c>deviceClasses</c> (false: the drivers' DeviceClasses are not installed).
/// </summary>
public sealed record DraDriverOptions(IReadOnlyList<string>? Drivers, bool DeviceClasses) : IComponentOptions<DraDriverOptions>
{
    public static DraDriverOptions Read(ComponentOptionReader options) => new(
        options.Text("drivers")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        options.Flag("deviceClasses", true));
}
