using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>metav1.Condition lists as controllers write them: lastTransitionTime changes only when the status does.</summary>
public static class Conditions
{
    public static JsonObject Condition(string type, bool status, string reason, string message, long generation) => new()
    {
        ["type"] = type,
        ["status"] = status ? "True" : "False",
        ["reason"] = reason,
        ["message"] = message,
        ["observedGeneration"] = generation,
        ["lastTransitionTime"] = Json.Now(),
    };

    /// <summary><paramref name="wanted"/>, keeping the transition time of each condition whose status did not change.</summary>
    public static JsonArray Merge(JsonArray? previous, IEnumerable<JsonObject> wanted)
    {
        var result = new JsonArray();
        foreach (var condition in wanted)
        {
            var old = (previous ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == (string?)condition["type"]);
            if (old is not null && (string?)old["status"] == (string?)condition["status"])
                condition["lastTransitionTime"] = old["lastTransitionTime"]?.DeepClone();
            result.Add(condition);
        }
        return result;
    }

    /// <summary>
    /// A <c>status.parents</c> list (of a route or an InferencePool) whose entries of <paramref name="controller"/> are
    /// <paramref name="mine"/>, each keeping the transition times of the entry it replaces, and whose other
    /// controllers' entries are left alone.
    /// </summary>
    public static JsonArray MergeParents(JsonArray? previous, IEnumerable<JsonObject> mine, string controller)
    {
        var old = (previous ?? []).OfType<JsonObject>().ToList();
        var others = old.Where(p => (string?)p["controllerName"] != controller).Select(p => (JsonNode)p.DeepClone());
        var ours = mine.Select(entry =>
        {
            var replaced = old.FirstOrDefault(p => (string?)p["controllerName"] == controller && JsonNode.DeepEquals(p["parentRef"], entry["parentRef"]));
            entry["conditions"] = Merge(replaced?["conditions"] as JsonArray, ((JsonArray)entry["conditions"]!).OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()));
            return (JsonNode)entry;
        });
        return new JsonArray([.. others, .. ours]);
    }

    public static long Generation(JsonObject obj) => JsonNumber.Long(obj["metadata"]?["generation"]) ?? 1;
}
