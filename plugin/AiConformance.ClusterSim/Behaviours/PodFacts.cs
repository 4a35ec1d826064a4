using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>Reading a stored pod's state.</summary>
public static class PodFacts
{
    public static string? NodeName(this JsonObject pod) => (string?)pod["spec"]?["nodeName"];

    public static string Phase(this JsonObject pod) => (string?)pod["status"]?["phase"] ?? "Pending";

    public static bool IsTerminal(this JsonObject pod) => pod.Phase() is "Succeeded" or "Failed";

    public static bool IsReady(this JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True");

    public static string? PodIp(this JsonObject pod) => (string?)pod["status"]?["podIP"];

    /// <summary>The ResourceClaim names the pod uses, by pod claim name (null while a template's claim is not yet created).</summary>
    public static IReadOnlyList<(string PodClaim, string? ClaimName)> ClaimNames(this JsonObject pod)
    {
        var statuses = (pod["status"]?["resourceClaimStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return (pod["spec"]?["resourceClaims"] as JsonArray ?? []).OfType<JsonObject>().Select(claim =>
        {
            var name = (string?)claim["name"] ?? "";
            if ((string?)claim["resourceClaimName"] is { } direct) return (name, direct);
            var status = statuses.FirstOrDefault(s => (string?)s["name"] == name);
            return (name, (string?)status?["resourceClaimName"]);
        }).ToList();
    }

    /// <summary>Sets a condition, keeping its transition time when its status did not change; <paramref name="probed"/>:
    /// whether the kind's conditions carry <c>lastProbeTime</c> (pods do, HPAs do not).</summary>
    public static void SetCondition(JsonObject status, string type, string conditionStatus, string? reason = null, string? message = null, bool probed = true)
    {
        var conditions = status.Array("conditions");
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is not null && (string?)existing["status"] == conditionStatus && (string?)existing["reason"] == reason && (string?)existing["message"] == message)
            return;
        var condition = new JsonObject { ["type"] = type, ["status"] = conditionStatus, ["lastTransitionTime"] = Json.Now() };
        if (probed) condition["lastProbeTime"] = null;
        if (existing is not null && (string?)existing["status"] == conditionStatus) condition["lastTransitionTime"] = existing["lastTransitionTime"]?.DeepClone();
        if (reason is not null) condition["reason"] = reason;
        if (message is not null) condition["message"] = message;
        if (existing is not null) conditions[conditions.IndexOf(existing)] = condition;
        else conditions.Add(condition);
    }
}
