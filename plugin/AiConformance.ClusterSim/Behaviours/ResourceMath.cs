using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>Pod resource requests as the scheduler computes them (requests default to limits; init containers by max).</summary>
public static class ResourceMath
{
    public static Dictionary<string, decimal> Requests(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject;
        var total = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var container in (spec?["containers"] as JsonArray ?? []).OfType<JsonObject>())
            foreach (var (name, amount) in ContainerRequests(container))
                total[name] = total.GetValueOrDefault(name) + amount;
        foreach (var container in (spec?["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
            foreach (var (name, amount) in ContainerRequests(container))
                total[name] = Math.Max(total.GetValueOrDefault(name), amount);
        foreach (var (name, amount) in (spec?["overhead"] as JsonObject ?? []))
            total[name] = total.GetValueOrDefault(name) + Parse(amount);
        return total;
    }

    public static Dictionary<string, decimal> ContainerRequests(JsonObject container)
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var resources = container["resources"] as JsonObject;
        foreach (var (name, amount) in resources?["limits"] as JsonObject ?? []) result[name] = Parse(amount);
        foreach (var (name, amount) in resources?["requests"] as JsonObject ?? []) result[name] = Parse(amount);
        return result;
    }

    /// <summary>A quantity as controllers print it: whole units, else milli-units.</summary>
    public static string Format(decimal amount) =>
        amount == decimal.Truncate(amount) ? amount.ToString("0", System.Globalization.CultureInfo.InvariantCulture)
            : (amount * 1000).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "m";

    public static decimal Parse(JsonNode? quantity) =>
        quantity is null ? 0 : new ResourceQuantity(quantity.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? quantity.ToJsonString()
            : (string?)quantity).ToDecimal();
}
