using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// What KubeRay's RayCluster controller does for one RayCluster: a head pod, the pods of every worker group
/// (<c>replicas</c> clamped to min and max, times <c>numOfHosts</c>) and the head Service, each labelled with
/// <c>ray.io/*</c> labels and owned by the RayCluster (controller reference, blockOwnerDeletion); then its status as
/// KubeRay 1.7 writes it: worker replica counts, head pod and Service, endpoints, the <c>HeadPodReady</c> and
/// <c>RayClusterProvisioned</c> conditions and <c>state: ready</c> once every pod runs and is ready.
/// </summary>
public static class RayClusterReconciler
{
    private const string ClusterLabel = "ray.io/cluster";
    private const string NodeTypeLabel = "ray.io/node-type";
    private const string GroupLabel = "ray.io/group";
    private const string HeadGroup = "headgroup";

    private static readonly (string Name, int Port)[] DefaultHeadPorts = [("gcs-server", 6379), ("dashboard", 8265), ("client", 10001), ("metrics", 8080)];

    public static void Reconcile(IClusterStore store, JsonObject cluster, IOperatorFault fault)
    {
        var (ns, name) = (cluster.Namespace(), cluster.Name());
        List<JsonObject> pods = [.. store.List(Kinds.Pod, ns, p => p.Label(ClusterLabel) == name && p.ControllerUid() == cluster.Uid() && !p.IsDeleting())];
        foreach (var ended in pods.Where(p => p.IsTerminal())) OwnedPods.TryDelete(store, ended);
        pods = [.. pods.Where(OwnedPods.IsActive)];
        var service = store.Get(Kinds.Service, ns, HeadServiceName(name)) ?? store.Create(Kinds.Service, HeadService(cluster, fault));

        if (cluster["spec"]?["headGroupSpec"]?["template"] is JsonObject headTemplate && !pods.Any(IsHead))
            pods.Add(store.Create(Kinds.Pod, Pod(cluster, headTemplate, $"{name}-head-", "head", HeadGroup)));
        foreach (var group in WorkerGroups(cluster))
        {
            var members = pods.Where(p => !IsHead(p) && p.Label(GroupLabel) == group.Name).ToList();
            for (var missing = group.Desired - members.Count; missing > 0; missing--)
                pods.Add(store.Create(Kinds.Pod, Pod(cluster, group.Template, $"{name}-{group.Name}-worker-", "worker", group.Name)));
            foreach (var extra in members.Skip(group.Desired)) OwnedPods.TryDelete(store, extra);
        }
        OwnedPods.WriteStatus(store, KubeRayOperatorBehaviour.RayCluster, cluster, status => Describe(status, cluster, pods, service, fault));
    }

    private static bool IsHead(JsonObject pod) => pod.Label(NodeTypeLabel) == "head";

    private static string HeadServiceName(string cluster) => $"{cluster}-head-svc";

    private sealed record WorkerGroup(string Name, JsonObject Template, int Desired, int Min, int Max);

    private static IEnumerable<WorkerGroup> WorkerGroups(JsonObject cluster) =>
        (cluster["spec"]?["workerGroupSpecs"] as JsonArray ?? []).OfType<JsonObject>().Select(group =>
        {
            var min = (int)(JsonNumber.Long(group["minReplicas"]) ?? 0);
            var max = (int)(JsonNumber.Long(group["maxReplicas"]) ?? int.MaxValue);
            var replicas = (int)Math.Clamp(JsonNumber.Long(group["replicas"]) ?? min, min, Math.Max(min, max));
            var hosts = (int)(JsonNumber.Long(group["numOfHosts"]) ?? 1);
            return new WorkerGroup((string?)group["groupName"] ?? "", group["template"] as JsonObject ?? [], (group["suspend"]?.GetValue<bool>() == true ? 0 : replicas) * hosts, min * hosts, (int)Math.Min(int.MaxValue, (long)max * hosts));
        });

    private static Dictionary<string, string> RayLabels(string cluster, string nodeType, string group) => new()
    {
        [ClusterLabel] = cluster,
        [NodeTypeLabel] = nodeType,
        [GroupLabel] = group,
        ["ray.io/identifier"] = $"{cluster}-{nodeType}",
        ["ray.io/is-ray-node"] = "yes",
        ["app.kubernetes.io/name"] = "kuberay",
        ["app.kubernetes.io/created-by"] = "kuberay-operator",
    };

    private static JsonObject Pod(JsonObject cluster, JsonObject template, string generateName, string nodeType, string group) =>
        OwnedPods.FromTemplate(cluster, template, generateName + Names.Suffix(), generateName, RayLabels(cluster.Name(), nodeType, group));

    private static JsonObject HeadService(JsonObject cluster, IOperatorFault fault)
    {
        var name = cluster.Name();
        var headContainer = (cluster["spec"]?["headGroupSpec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault();
        var declared = (headContainer?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => (Name: (string?)p["name"], Port: (int)(JsonNumber.Long(p["containerPort"]) ?? 0))).Where(p => p.Name is not null).Select(p => (p.Name!, p.Port)).ToList();
        var ports = declared.Concat(DefaultHeadPorts.Where(d => declared.All(p => p.Item1 != d.Name)));
        var metadata = new JsonObject
        {
            ["name"] = HeadServiceName(name),
            ["namespace"] = cluster.Namespace(),
            ["labels"] = new JsonObject(RayLabels(name, "head", HeadGroup).Where(l => l.Key != "ray.io/is-ray-node").Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
        };
        if (fault.OwnsServices) metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(cluster));
        return new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                // KubeRay's head Service is headless unless ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE is set.
                ["clusterIP"] = "None",
                ["publishNotReadyAddresses"] = true,
                ["selector"] = new JsonObject { [ClusterLabel] = name, [NodeTypeLabel] = "head" },
                ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)new JsonObject { ["name"] = p.Item1, ["port"] = p.Item2, ["targetPort"] = p.Item2, ["protocol"] = "TCP" })]),
            },
        };
    }

    private static void Describe(JsonObject status, JsonObject cluster, IReadOnlyList<JsonObject> pods, JsonObject service, IOperatorFault fault)
    {
        var before = Comparable(status);
        var head = pods.FirstOrDefault(IsHead);
        var workers = pods.Where(p => !IsHead(p)).ToList();
        var groups = WorkerGroups(cluster).ToList();
        var desired = groups.Sum(g => g.Desired);
        var allReady = fault.ReportsReady && head is not null && head.IsReady() && workers.Count(p => p.IsReady()) >= desired;
        status["desiredWorkerReplicas"] = desired;
        status["minWorkerReplicas"] = groups.Sum(g => g.Min);
        status["maxWorkerReplicas"] = groups.Sum(g => g.Max);
        status["readyWorkerReplicas"] = workers.Count(p => p.IsReady());
        status["availableWorkerReplicas"] = workers.Count(p => p.Phase() == "Running");
        status["desiredCPU"] = "0";
        status["desiredMemory"] = "0";
        status["desiredGPU"] = "0";
        status["desiredTPU"] = "0";
        status["endpoints"] = new JsonObject((service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => KeyValuePair.Create((string?)p["name"] ?? "", (JsonNode?)(JsonNumber.Long(p["port"]) ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var headStatus = new JsonObject { ["serviceName"] = service.Name() };
        if (head is not null)
        {
            headStatus["podName"] = head.Name();
            if (head.PodIp() is { } ip)
            {
                headStatus["podIP"] = ip;
                headStatus["serviceIP"] = ip;
            }
        }
        status["head"] = headStatus;
        status["observedGeneration"] = JsonNumber.Long(cluster["metadata"]?["generation"]) ?? 1;
        PodFacts.SetCondition(status, "HeadPodReady", head?.IsReady() == true ? "True" : "False",
            head?.IsReady() == true ? "HeadPodRunningAndReady" : head is null ? "HeadPodNotFound" : "HeadPodNotReady",
            head?.IsReady() == true ? "" : "Head Pod is not ready", probeTime: false);
        var provisioned = allReady || Condition(status, "RayClusterProvisioned") == "True";
        PodFacts.SetCondition(status, "RayClusterProvisioned", provisioned ? "True" : "False",
            provisioned ? "AllPodRunningAndReadyFirstTime" : "RayClusterPodsProvisioning",
            provisioned ? "All Ray Pods are ready for the first time" : "RayCluster Pods are being provisioned for first time", probeTime: false);
        if (allReady) status["state"] = "ready";
        else status.Remove("state");
        if (JsonNode.DeepEquals(before, Comparable(status))) return;
        status["lastUpdateTime"] = Json.Now();
        if (allReady && (string?)before["state"] != "ready") status.Child("stateTransitionTimes")["ready"] = Json.Now();
    }

    private static string? Condition(JsonObject status, string type) =>
        (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.GetValue<string>();

    /// <summary>The status without its times, to tell whether anything changed (a pass that changes nothing writes nothing).</summary>
    private static JsonObject Comparable(JsonObject status)
    {
        var copy = (JsonObject)status.DeepClone();
        copy.Remove("lastUpdateTime");
        copy.Remove("stateTransitionTimes");
        return copy;
    }
}
