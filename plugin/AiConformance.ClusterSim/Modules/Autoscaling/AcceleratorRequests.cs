using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>Whether a pod spec asks for accelerators: DRA claims, or an extended accelerator resource in its limits.</summary>
public static class AcceleratorRequests
{
    public static bool In(JsonObject? podSpec)
    {
        var pod = podSpec ?? [];
        if (pod["resourceClaims"] is JsonArray { Count: > 0 }) return true;
        return (pod["containers"] as JsonArray ?? []).OfType<JsonObject>().Any(container =>
            (container["resources"]?["limits"] as JsonObject ?? []).Any(limit => limit.Key.Contains("gpu", StringComparison.Ordinal) || limit.Key.Contains('/')));
    }
}
