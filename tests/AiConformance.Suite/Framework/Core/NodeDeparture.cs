using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Whether a node is leaving the cluster: gone, being deleted, or tainted by an autoscaler that is removing it
/// (cluster-autoscaler's ToBeDeletedByClusterAutoscaler, Karpenter's disrupted taint). An autoscaler may shrink any
/// unneeded node of a pool while a test looks at it; what such a node showed decides nothing.
/// </summary>
public static class NodeDeparture
{
    private static readonly string[] RemovalTaints = ["ToBeDeletedByClusterAutoscaler", "karpenter.sh/disrupted", "karpenter.sh/disruption"];

    public static async Task<bool> IsLeavingAsync(RunContext run, string node)
    {
        var found = (await new ClusterObjects<V1Node>(run.Kubernetes, null).ListAsync(null, $"metadata.name={node}", run.Cancellation)).Items;
        return found.Count == 0 || found[0].Metadata.DeletionTimestamp is not null
            || (found[0].Spec?.Taints ?? []).Any(taint => RemovalTaints.Contains(taint.Key, StringComparer.Ordinal));
    }
}
