using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>Short names and categories of built-in resources: discovery serves them, OpenAPI does not carry them.</summary>
internal static class BuiltInNames
{
    private static readonly Dictionary<string, (string[] ShortNames, string[] Categories)> Table = new(StringComparer.Ordinal)
    {
        ["/pods"] = (["po"], ["all"]),
        ["/services"] = (["svc"], ["all"]),
        ["/nodes"] = (["no"], []),
        ["/namespaces"] = (["ns"], []),
        ["/configmaps"] = (["cm"], []),
        ["/events"] = (["ev"], []),
        ["/endpoints"] = (["ep"], []),
        ["/persistentvolumeclaims"] = (["pvc"], []),
        ["/persistentvolumes"] = (["pv"], []),
        ["/serviceaccounts"] = (["sa"], []),
        ["/replicationcontrollers"] = (["rc"], ["all"]),
        ["/limitranges"] = (["limits"], []),
        ["/resourcequotas"] = (["quota"], []),
        ["apps/deployments"] = (["deploy"], ["all"]),
        ["apps/replicasets"] = (["rs"], ["all"]),
        ["apps/daemonsets"] = (["ds"], ["all"]),
        ["apps/statefulsets"] = (["sts"], ["all"]),
        ["batch/jobs"] = ([], ["all"]),
        ["batch/cronjobs"] = (["cj"], ["all"]),
        ["autoscaling/horizontalpodautoscalers"] = (["hpa"], ["all"]),
        ["apiextensions.k8s.io/customresourcedefinitions"] = (["crd", "crds"], ["api-extensions"]),
        ["scheduling.k8s.io/priorityclasses"] = (["pc"], []),
        ["policy/poddisruptionbudgets"] = (["pdb"], []),
        ["networking.k8s.io/networkpolicies"] = (["netpol"], []),
        ["networking.k8s.io/ingresses"] = (["ing"], []),
        ["storage.k8s.io/storageclasses"] = (["sc"], []),
        ["events.k8s.io/events"] = (["ev"], []),
        ["certificates.k8s.io/certificatesigningrequests"] = (["csr"], []),
    };

    public static (IReadOnlyList<string> ShortNames, IReadOnlyList<string> Categories) For(ResourceKind kind) =>
        Table.TryGetValue(kind.Group + "/" + kind.Plural, out var names) ? (names.ShortNames, names.Categories) : ([], []);
}
