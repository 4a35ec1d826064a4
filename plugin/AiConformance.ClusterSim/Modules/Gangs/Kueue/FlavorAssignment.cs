using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// Kueue's flavor assigner for one pod set: in each resource group that covers requested resources, the first
/// flavor whose unused nominal quota holds every pod of the set. <see cref="Fitting"/> is how many pods the best
/// flavor would hold (all-or-nothing admission needs it to reach the count).
/// </summary>
public sealed record FlavorAssignment(IReadOnlyDictionary<string, string>? Flavors, int Fitting, string? Refusal)
{
    public static FlavorAssignment Choose(JsonObject clusterQueue, IReadOnlyDictionary<string, decimal> perPod, int count, WorkloadUsage usage)
    {
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        var fitting = int.MaxValue;
        string? refusal = null;
        var groups = (clusterQueue["spec"]?["resourceGroups"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var resource in perPod.Keys.Where(r => !groups.Any(g => Covered(g).Contains(r))))
            return new FlavorAssignment(null, 0, $"resource {resource} unavailable in ClusterQueue");
        foreach (var group in groups)
        {
            var requested = Covered(group).Where(perPod.ContainsKey).ToList();
            if (requested.Count == 0) continue;
            (string Flavor, int Fits)? best = null;
            foreach (var flavor in (group["flavors"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var name = (string?)flavor["name"] ?? "";
                var fits = requested.Min(resource => Holds(Nominal(flavor, resource) - usage.Used(name, resource), perPod[resource]));
                if (best is null || fits > best.Value.Fits) best = (name, fits);
                if (fits >= count) break;
                refusal ??= $"insufficient unused quota for {string.Join(", ", requested)} in flavor {name}, " +
                            $"{count - fits} more pod(s) than fit";
            }
            if (best is null) return new FlavorAssignment(null, 0, $"no flavor covers {string.Join(", ", requested)}");
            foreach (var resource in requested) chosen[resource] = best.Value.Flavor;
            fitting = Math.Min(fitting, best.Value.Fits);
        }
        if (fitting == int.MaxValue) fitting = count;
        return new FlavorAssignment(chosen, fitting, fitting >= count ? null : refusal);
    }

    /// <summary>Every flavor of a ClusterQueue with the resources it covers there, for the queue's status.</summary>
    public static IEnumerable<(string Flavor, IReadOnlyList<string> Resources)> FlavorsOf(JsonObject clusterQueue) =>
        (clusterQueue["spec"]?["resourceGroups"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(group => (group["flavors"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(flavor => ((string?)flavor["name"] ?? "", (IReadOnlyList<string>)[.. Covered(group)])));

    private static List<string> Covered(JsonObject group) => [.. (group["coveredResources"] as JsonArray ?? []).Select(r => (string?)r).OfType<string>()];

    private static decimal Nominal(JsonObject flavor, string resource) =>
        (flavor["resources"] as JsonArray ?? []).OfType<JsonObject>().Where(r => (string?)r["name"] == resource)
            .Select(r => ResourceMath.Parse(r["nominalQuota"])).FirstOrDefault();

    private static int Holds(decimal free, decimal perPod) => perPod <= 0 ? int.MaxValue : (int)Math.Max(0, Math.Floor(free / perPod));
}
