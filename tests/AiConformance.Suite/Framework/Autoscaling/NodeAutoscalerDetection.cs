using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>
/// A node autoscaler the cluster has, and the node pools it could grow for the test: the configured
/// <c>clusterAutoscaling.nodePoolSelector</c>, else (Karpenter) one per NodePool; none when the pool must be configured.
/// </summary>
public sealed record DetectedAutoscaler(string Name, string What, IReadOnlyList<NodePoolSelector> Pools) : IDetected
{
    public string Summary => $"{Name}: {What}";
}

/// <summary>
/// Finds the node autoscalers: cluster-autoscaler (a Deployment whose name says so, or its status ConfigMap
/// <c>kube-system/cluster-autoscaler-status</c>, whose node groups it reads), Karpenter (<c>karpenter.sh/v1</c>
/// NodePools), or, with neither visible (a managed autoscaler runs outside the cluster), the node pool the
/// configuration names. Says what it looked for when it finds none.
/// </summary>
public static partial class NodeAutoscalerDetection
{
    public const string NodePoolSelectorKey = "clusterAutoscaling.nodePoolSelector";
    public const string StatusNamespace = "kube-system";
    public const string StatusConfigMap = "cluster-autoscaler-status";
    public const string KarpenterNodePoolLabel = "karpenter.sh/nodepool";

    public static async Task<Detection<DetectedAutoscaler>> DetectAsync(RunContext run)
    {
        var configured = run.Configuration.Get(NodePoolSelectorKey) is { } text
            ? NodePoolSelector.Parse(text, $"configuration key '{NodePoolSelectorKey}'") : null;
        List<NodePoolSelector> Configured() => configured is null ? [] : [configured];
        var found = new List<DetectedAutoscaler>();
        var lookedFor = new List<string>
        {
            "a cluster-autoscaler Deployment (any namespace)",
            $"the ConfigMap {StatusNamespace}/{StatusConfigMap}",
            "Karpenter NodePools (karpenter.sh/v1)",
            configured is null ? $"a node pool named by {NodePoolSelectorKey} (not set)" : $"the node pool {NodePoolSelectorKey}={configured}",
        };

        var deployments = (await new ClusterObjects<V1Deployment>(run.Kubernetes, null).ListAsync(null, null, run.Cancellation)).Items
            .Where(deployment => deployment.Metadata.Name.Contains("cluster-autoscaler", StringComparison.Ordinal)).ToList();
        var status = await new ClusterObjects<V1ConfigMap>(run.Kubernetes, StatusNamespace).GetAsync(StatusConfigMap, run.Cancellation);
        if (deployments.Count > 0 || status is not null)
        {
            var where = new List<string>();
            where.AddRange(deployments.Select(deployment => $"Deployment {deployment.Metadata.NamespaceProperty}/{deployment.Metadata.Name}"));
            if (status is not null) where.Add($"status ConfigMap with node groups [{string.Join(", ", NodeGroups(status))}]");
            found.Add(new DetectedAutoscaler("ClusterAutoscaler", $"cluster-autoscaler ({string.Join("; ", where)})", Configured()));
        }

        var nodePools = await NodePoolsAsync(run);
        if (nodePools.Count > 0)
        {
            var pools = configured is null
                ? nodePools.Select(pool => NodePoolSelector.Parse($"{KarpenterNodePoolLabel}={pool}", "NodePool")).ToList()
                : Configured();
            found.Add(new DetectedAutoscaler("Karpenter", $"Karpenter NodePools [{string.Join(", ", nodePools)}]", pools));
        }

        if (found.Count == 0 && configured is not null)
            found.Add(new DetectedAutoscaler("ConfiguredPool", $"an autoscaler outside the cluster's API (managed) for the configured node pool {configured}", Configured()));
        return new Detection<DetectedAutoscaler>(found, lookedFor);
    }

    /// <summary>The node groups of cluster-autoscaler's status (1.30+ YAML format), with their sizes.</summary>
    public static IEnumerable<string> NodeGroups(V1ConfigMap status)
    {
        var text = status.Data is { } data && data.TryGetValue("status", out var yaml) ? yaml : "";
        var groups = text.Split("\n- name: ").Skip(1);
        return groups.Select(group =>
        {
            var name = group.Split('\n')[0].Trim();
            var min = MinSize().Match(group) is { Success: true } m ? m.Groups[1].Value : "?";
            var max = MaxSize().Match(group) is { Success: true } x ? x.Groups[1].Value : "?";
            var target = Target().Match(group) is { Success: true } t ? t.Groups[1].Value : "?";
            return $"{name} (size {target}, min {min}, max {max})";
        });
    }

    private static async Task<List<string>> NodePoolsAsync(RunContext run)
    {
        try
        {
            return [.. (await new ClusterObjects<KarpenterNodePool>(run.Kubernetes, null).ListAsync(null, null, run.Cancellation)).Items
                .Select(pool => pool.Metadata.Name).Order(StringComparer.Ordinal)];
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    [GeneratedRegex(@"\n\s+minSize: (\d+)")]
    private static partial Regex MinSize();

    [GeneratedRegex(@"\n\s+maxSize: (\d+)")]
    private static partial Regex MaxSize();

    [GeneratedRegex(@"\n\s+cloudProviderTarget: (\d+)")]
    private static partial Regex Target();
}

/// <summary>Karpenter's NodePool (<c>karpenter.sh/v1</c>): only read, for its name.</summary>
[KubernetesEntity(Group = "karpenter.sh", ApiVersion = "v1", Kind = "NodePool", PluralName = "nodepools")]
public sealed class KarpenterNodePool : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "karpenter.sh/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "NodePool";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }
}
