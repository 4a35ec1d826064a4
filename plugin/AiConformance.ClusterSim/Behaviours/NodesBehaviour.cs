using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// Registers the scenario's nodes as their kubelets would (labels, taints, capacity, Ready condition, nodeInfo)
/// and the scenario's RuntimeClasses as the cluster's installer would.
/// </summary>
public sealed class NodesBehaviour : IClusterBehaviour
{
    public const string ComponentName = "nodes";
    private static readonly Dictionary<string, string> DefaultCapacity = new()
    {
        ["cpu"] = "16", ["memory"] = "64Gi", ["pods"] = "110", ["ephemeral-storage"] = "200Gi", ["hugepages-1Gi"] = "0", ["hugepages-2Mi"] = "0",
    };

    public string Name => ComponentName;

    public Task RunAsync(SimulatedCluster cluster, CancellationToken cancellationToken)
    {
        var ordinal = 0;
        foreach (var (name, group) in SimulatedCluster.NodeNames(cluster.Scenario))
            CreateIfMissing(cluster.Store, Kinds.Node, Manifest(name, group, cluster.Scenario.KubernetesVersion ?? "v1.35", ordinal++));
        foreach (var (name, spec) in cluster.Scenario.RuntimeClasses ?? [])
            CreateIfMissing(cluster.Store, Kinds.RuntimeClass, new JsonObject
            {
                ["apiVersion"] = "node.k8s.io/v1",
                ["kind"] = "RuntimeClass",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["handler"] = spec.Handler ?? name,
            });
        return Task.CompletedTask;
    }

    internal static void CreateIfMissing(IClusterStore store, ResourceKind kind, JsonObject obj)
    {
        if (store.Get(kind, obj.Namespace(), obj.Name()) is not null) return;
        try { store.Create(kind, obj); }
        catch (StatusException e) when (e.Code == 409) { }
    }

    /// <summary>The InternalIP of the n-th node, also the base of its pods' addresses.</summary>
    public static string AddressOf(int ordinal) => $"10.0.{ordinal / 250}.{10 + ordinal % 250}";

    /// <summary>The Node a kubelet of <paramref name="group"/> registers (also what a cluster autoscaler's node template looks like).</summary>
    public static JsonObject Manifest(string name, NodeGroup group, string kubernetesVersion, int ordinal)
    {
        var labels = new JsonObject
        {
            ["beta.kubernetes.io/arch"] = group.Architecture,
            ["beta.kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = group.Architecture,
            ["kubernetes.io/hostname"] = name,
            ["kubernetes.io/os"] = "linux",
        };
        if (group.ControlPlane)
        {
            labels["node-role.kubernetes.io/control-plane"] = "";
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
        }
        foreach (var (key, value) in group.Labels ?? []) labels[key] = value;
        var capacity = new JsonObject();
        foreach (var (key, value) in DefaultCapacity) capacity[key] = value;
        foreach (var (key, value) in group.Capacity ?? []) capacity[key] = value;
        var taints = new JsonArray();
        foreach (var taint in group.Taints ?? [])
        {
            var entry = new JsonObject { ["key"] = taint.Key, ["effect"] = taint.Effect };
            if (taint.Value is not null) entry["value"] = taint.Value;
            taints.Add(entry);
        }
        var now = Json.Now();
        var version = KubeletVersion(kubernetesVersion);
        var podCidr = Network.ClusterAddresses.NodePodCidr(ordinal);
        var spec = new JsonObject { ["podCIDR"] = podCidr, ["podCIDRs"] = new JsonArray(podCidr) };
        if (taints.Count > 0) spec["taints"] = taints;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { ["node.alpha.kubernetes.io/ttl"] = "0", ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true" },
            },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["capacity"] = capacity,
                ["allocatable"] = capacity.DeepClone(),
                ["conditions"] = new JsonArray(
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                    Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = AddressOf(ordinal) },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
                ["nodeInfo"] = new JsonObject
                {
                    ["architecture"] = group.Architecture,
                    ["bootID"] = Guid.NewGuid().ToString(),
                    ["containerRuntimeVersion"] = group.ContainerRuntime,
                    ["kernelVersion"] = group.KernelVersion,
                    ["kubeProxyVersion"] = "",
                    ["kubeletVersion"] = version,
                    ["machineID"] = Guid.NewGuid().ToString("N"),
                    ["operatingSystem"] = "linux",
                    ["osImage"] = group.OsImage,
                    ["systemUUID"] = Guid.NewGuid().ToString(),
                },
            },
        };
    }

    /// <summary>A patch release of the scenario's minor version, as a node would report it.</summary>
    public static string KubeletVersion(string kubernetesVersion) => kubernetesVersion + ".2";

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastHeartbeatTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
