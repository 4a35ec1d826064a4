using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>Quota in use, by ResourceFlavor and resource, as admissions record it and queue status reports it.</summary>
public sealed record WorkloadUsage(IReadOnlyDictionary<string, Dictionary<string, decimal>> ByFlavor)
{
    public static readonly WorkloadUsage Empty = new(new Dictionary<string, Dictionary<string, decimal>>(StringComparer.Ordinal));

    /// <summary>What an admitted workload holds: its pod set assignments' flavors and resource usage.</summary>
    public static WorkloadUsage Of(JsonObject workload)
    {
        var total = Empty;
        foreach (var assignment in (workload["status"]?["admission"]?["podSetAssignments"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var flavors = (assignment["flavors"] as JsonObject ?? []).ToDictionary(f => f.Key, f => (string?)f.Value ?? "", StringComparer.Ordinal);
            var byFlavor = new Dictionary<string, Dictionary<string, decimal>>(StringComparer.Ordinal);
            foreach (var (resource, amount) in assignment["resourceUsage"] as JsonObject ?? [])
                if (flavors.TryGetValue(resource, out var flavor))
                    (byFlavor.TryGetValue(flavor, out var resources) ? resources : byFlavor[flavor] = new(StringComparer.Ordinal))[resource] = ResourceMath.Parse(amount);
            total = total.Plus(new WorkloadUsage(byFlavor));
        }
        return total;
    }

    /// <summary>What <paramref name="count"/> pods of <paramref name="perPod"/> take in the flavors chosen per resource.</summary>
    public static WorkloadUsage From(IReadOnlyDictionary<string, string> flavors, IReadOnlyDictionary<string, decimal> perPod, int count)
    {
        var byFlavor = new Dictionary<string, Dictionary<string, decimal>>(StringComparer.Ordinal);
        foreach (var (resource, flavor) in flavors)
            (byFlavor.TryGetValue(flavor, out var resources) ? resources : byFlavor[flavor] = new(StringComparer.Ordinal))[resource] = perPod[resource] * count;
        return new WorkloadUsage(byFlavor);
    }

    public decimal Used(string flavor, string resource) => ByFlavor.TryGetValue(flavor, out var resources) ? resources.GetValueOrDefault(resource) : 0;

    public WorkloadUsage Plus(WorkloadUsage other)
    {
        var sum = ByFlavor.ToDictionary(f => f.Key, f => new Dictionary<string, decimal>(f.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (flavor, resources) in other.ByFlavor)
        {
            var into = sum.TryGetValue(flavor, out var existing) ? existing : sum[flavor] = new(StringComparer.Ordinal);
            foreach (var (resource, amount) in resources) into[resource] = into.GetValueOrDefault(resource) + amount;
        }
        return new WorkloadUsage(sum);
    }

    /// <summary>The flavors and resources this usage names.</summary>
    public IEnumerable<(string Flavor, IReadOnlyList<string> Resources)> Flavors =>
        ByFlavor.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, (IReadOnlyList<string>)[.. f.Value.Keys.Order(StringComparer.Ordinal)]));

    /// <summary>
    /// <c>flavorsReservation</c> / <c>flavorsUsage</c>: every listed flavor and resource with its total (and, in a
    /// ClusterQueue's status, what it borrowed from its cohort: nothing, as the simulated queues have no cohort).
    /// </summary>
    public JsonArray ToStatus(IEnumerable<(string Flavor, IReadOnlyList<string> Resources)> flavors, bool withBorrowed)
    {
        var list = new JsonArray();
        foreach (var (flavor, resources) in flavors)
        {
            var entries = new JsonArray();
            foreach (var resource in resources)
            {
                var entry = new JsonObject { ["name"] = resource, ["total"] = ResourceMath.Format(Used(flavor, resource)) };
                if (withBorrowed) entry["borrowed"] = "0";
                entries.Add(entry);
            }
            list.Add(new JsonObject { ["name"] = flavor, ["resources"] = entries });
        }
        return list;
    }
}
