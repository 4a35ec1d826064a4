using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// What the registry strategies of kube-apiserver put into a create answer besides the schema's defaults: which kinds
/// count <c>metadata.generation</c> (their strategies set it to 1 and raise it on spec changes), and the status an
/// object starts with where the Go status struct is serialized even when empty (<c>status: {loadBalancer: {}}</c>
/// for a Service, <c>status: {}</c> for a Deployment, counters without omitempty as 0).
/// </summary>
public static class RegistryStrategies
{
    /// <summary>Built-in kinds whose strategy leaves generation unset: those without a spec, and these with one.</summary>
    private static readonly HashSet<string> WithoutGeneration = new(StringComparer.Ordinal)
    {
        "/configmaps", "/secrets", "/serviceaccounts", "/endpoints", "/events", "events.k8s.io/events", "/podtemplates",
        "/services", "/namespaces", "/nodes", "/persistentvolumes", "/persistentvolumeclaims", "/limitranges", "/resourcequotas",
        "/componentstatuses", "/bindings",
        "rbac.authorization.k8s.io/roles", "rbac.authorization.k8s.io/clusterroles",
        "rbac.authorization.k8s.io/rolebindings", "rbac.authorization.k8s.io/clusterrolebindings",
        "coordination.k8s.io/leases", "storage.k8s.io/storageclasses", "scheduling.k8s.io/priorityclasses",
        "node.k8s.io/runtimeclasses", "apps/controllerrevisions", "certificates.k8s.io/certificatesigningrequests",
    };

    private static readonly Dictionary<string, string> InitialStatuses = new(StringComparer.Ordinal)
    {
        ["/services"] = """{"loadBalancer":{}}""",
        ["networking.k8s.io/ingresses"] = """{"loadBalancer":{}}""",
        ["/persistentvolumeclaims"] = """{"phase":"Pending"}""",
        ["/persistentvolumes"] = """{"phase":"Pending"}""",
        ["/replicationcontrollers"] = """{"replicas":0}""",
        ["apps/deployments"] = "{}",
        ["apps/replicasets"] = """{"replicas":0}""",
        ["apps/statefulsets"] = """{"replicas":0,"availableReplicas":0}""",
        ["apps/daemonsets"] = """{"currentNumberScheduled":0,"numberMisscheduled":0,"desiredNumberScheduled":0,"numberReady":0}""",
        ["batch/jobs"] = "{}",
        ["batch/cronjobs"] = "{}",
        ["autoscaling/horizontalpodautoscalers"] = """{"desiredReplicas":0}""",
        ["policy/poddisruptionbudgets"] = """{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}""",
        ["resource.k8s.io/resourceclaims"] = "{}",
    };

    /// <summary>Custom resources always count generation; built-ins unless listed in <see cref="WithoutGeneration"/>.</summary>
    public static bool SetsGeneration(ResourceKind kind) => !WithoutGeneration.Contains(kind.Group + "/" + kind.Plural);

    /// <summary>On create, fills the status the real server would answer with when none was kept.</summary>
    public static void FillInitialStatus(ResourceKind kind, JsonObject obj)
    {
        if (obj["status"] is null && InitialStatuses.TryGetValue(kind.Group + "/" + kind.Plural, out var status))
            obj["status"] = JsonNode.Parse(status);
    }
}
