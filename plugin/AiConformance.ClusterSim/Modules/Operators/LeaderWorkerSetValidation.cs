using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The checks of LWS's LeaderWorkerSet validator (pkg/webhooks/leaderworkerset_webhook.go, <c>generalValidate</c>)
/// that the CRD schema does not make: size at least 1, maxUnavailable and maxSurge not both 0, and a subGroupSize that
/// is at least 1, not larger than size, and divides size or size - 1. controller-runtime denies a validator's plain
/// error with 403 Forbidden and the error's text: one field error, or several as <c>[a, b]</c>.
/// </summary>
public static class LeaderWorkerSetValidation
{
    public static JsonObject? Deny(JsonObject lws)
    {
        var problems = Problems(lws);
        if (problems.Count == 0) return null;
        var message = problems.Count == 1 ? problems[0] : $"[{string.Join(", ", problems)}]";
        return new StatusException(403, "Forbidden", message).ToStatus();
    }

    private static List<string> Problems(JsonObject lws)
    {
        var problems = new List<string>();
        var spec = lws["spec"] as JsonObject ?? [];
        var template = spec["leaderWorkerTemplate"] as JsonObject ?? [];
        var replicas = spec["replicas"].AsLong() ?? 1;
        var size = template["size"].AsLong() ?? 1;
        if (size < 1) problems.Add(Invalid("spec.leaderWorkerTemplate.size", size, "size must be equal or greater than 1"));
        if (spec["rolloutStrategy"]?["rollingUpdateConfiguration"] is JsonObject rolling
            && Scaled(rolling["maxUnavailable"], replicas, roundUp: false) == 0 && Scaled(rolling["maxSurge"], replicas, roundUp: true) == 0 && replicas != 0)
            problems.Add($"spec.rolloutStrategy.rollingUpdateConfiguration.maxUnavailable: Invalid value: {Text(rolling["maxUnavailable"])}: must not be 0 when `maxSurge` is 0");
        if (template["subGroupPolicy"]?["subGroupSize"].AsLong() is { } subGroupSize)
        {
            const string field = "spec.leaderWorkerTemplate.SubGroupPolicy.subGroupSize";
            if (subGroupSize < 1) problems.Add(Invalid(field, subGroupSize, "subGroupSize must be equal or greater than 1"));
            else
            {
                if (size % subGroupSize != 0 && (size - 1) % subGroupSize != 0) problems.Add(Invalid(field, subGroupSize, "size or size - 1 must be divisible by subGroupSize"));
                if (size < subGroupSize) problems.Add(Invalid(field, subGroupSize, "subGroupSize cannot be larger than size"));
            }
        }
        return problems;
    }

    private static string Invalid(string field, long value, string detail) => $"{field}: Invalid value: {value.ToString(CultureInfo.InvariantCulture)}: {detail}";

    /// <summary>An int-or-percent scaled to the replicas, as intstr.GetScaledValueFromIntOrPercent does (absent: the schema's default is applied before).</summary>
    private static long? Scaled(JsonNode? value, long replicas, bool roundUp)
    {
        if (value is null) return null;
        if (value.AsLong() is { } number) return number;
        var text = (string?)value;
        if (text is null || !text.EndsWith('%') || !long.TryParse(text[..^1], CultureInfo.InvariantCulture, out var percent)) return null;
        var scaled = replicas * percent / 100.0;
        return (long)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }

    private static string Text(JsonNode? value) => value?.AsLong() is { } number ? number.ToString(CultureInfo.InvariantCulture) : $"\"{(string?)value}\"";
}
