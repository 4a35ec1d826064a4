using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>nodeSelector and requiredDuringSchedulingIgnoredDuringExecution node affinity.</summary>
public static class NodeAffinity
{
    public static bool Matches(JsonObject pod, JsonObject node)
    {
        var labels = node.Labels();
        if (!LabelSelector.FromMap(pod["spec"]?["nodeSelector"]).Matches(labels)) return false;
        var terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray;
        if (terms is null || terms.Count == 0) return true;
        // matchFields can only name metadata.name: it is matched as if it were a label of the node.
        var fields = new Dictionary<string, string> { ["metadata.name"] = node.Name() };
        return terms.OfType<JsonObject>().Any(term =>
            LabelSelector.FromExpressions(term["matchExpressions"] as JsonArray).Matches(labels)
            && LabelSelector.FromExpressions(term["matchFields"] as JsonArray).Matches(fields));
    }
}
