using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>nodeSelector, requiredDuringSchedulingIgnoredDuringExecution node affinity, and node selectors of allocations.</summary>
public static class NodeAffinity
{
    public static bool Matches(JsonObject pod, JsonObject node)
    {
        if (!LabelSelector.FromMap(pod["spec"]?["nodeSelector"]).Matches(node.Labels())) return false;
        var terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray;
        return terms is null || terms.Count == 0 || AnyTermMatches(terms, node);
    }

    /// <summary>A NodeSelector's terms are ORed; within a term, every expression and field must hold.</summary>
    public static bool AnyTermMatches(JsonArray terms, JsonObject node)
    {
        var labels = node.Labels();
        // matchFields can only name metadata.name: it is matched as if it were a label of the node.
        var fields = new Dictionary<string, string> { ["metadata.name"] = node.Name() };
        return terms.OfType<JsonObject>().Any(term =>
            LabelSelector.FromExpressions(term["matchExpressions"] as JsonArray).Matches(labels)
            && LabelSelector.FromExpressions(term["matchFields"] as JsonArray).Matches(fields));
    }
}
