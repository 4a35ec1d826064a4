using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>nodeSelector and requiredDuringSchedulingIgnoredDuringExecution node affinity.</summary>
public static class NodeAffinity
{
    public static bool Matches(JsonObject pod, JsonObject node)
    {
        var labels = node["metadata"]?["labels"] as JsonObject ?? [];
        if (pod["spec"]?["nodeSelector"] is JsonObject selector &&
            !selector.All(pair => (string?)labels[pair.Key] == (string?)pair.Value)) return false;
        var terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray;
        if (terms is null || terms.Count == 0) return true;
        return terms.OfType<JsonObject>().Any(term =>
            (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().All(e => Requirement(e, key => (string?)labels[key]))
            && (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>().All(e => Requirement(e, key => key == "metadata.name" ? node.Name() : null)));
    }

    private static bool Requirement(JsonObject expression, Func<string, string?> valueOf)
    {
        var value = valueOf((string?)expression["key"] ?? "");
        var values = (expression["values"] as JsonArray ?? []).Select(v => (string?)v).ToList();
        return (string?)expression["operator"] switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => long.TryParse(value, out var a) && values.Count == 1 && long.TryParse(values[0], out var b) && a > b,
            "Lt" => long.TryParse(value, out var c) && values.Count == 1 && long.TryParse(values[0], out var d) && c < d,
            _ => false,
        };
    }
}
