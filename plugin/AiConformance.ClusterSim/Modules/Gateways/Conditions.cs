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

    public static long Generation(JsonObject obj) => JsonNumber.Long(obj["metadata"]?["generation"]) ?? 1;
}
