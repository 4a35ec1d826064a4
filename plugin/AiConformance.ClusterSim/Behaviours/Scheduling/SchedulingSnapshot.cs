using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;

namespace AiConformance.ClusterSim.Behaviours.Scheduling;

/// <summary>
/// What a scheduling pass knows of the cluster: the pods already on each node, the ResourceClaims, the published
/// devices, the DeviceClasses and the devices in use. Placements a pass decides are <see cref="Assume"/>d into it,
/// so later pods of the same pass (or of a gang) see them; slices of hypothetical nodes can be passed in with the real
/// ones, so a cluster autoscaler can ask whether a pod would fit a node that does not exist yet.
/// </summary>
public sealed class SchedulingSnapshot
{
    private readonly List<(string Node, Dictionary<string, decimal> Requests)> placed;

    public SchedulingSnapshot(IReadOnlyList<JsonObject> pods, IReadOnlyList<JsonObject> claims, IReadOnlyList<JsonObject> slices,
        IReadOnlyDictionary<string, JsonObject> deviceClasses)
    {
        placed = [.. pods.Where(p => p.NodeName() is not null && !p.IsTerminal()).Select(p => (p.NodeName()!, ResourceMath.Requests(p)))];
        Claims = [.. claims];
        Devices = DeviceAllocator.DevicesOf(slices);
        DeviceClasses = deviceClasses;
        foreach (var claim in Claims) AddInUse(claim);
    }

    /// <summary>The snapshot of everything in the store.</summary>
    public static SchedulingSnapshot Of(SimulatedCluster cluster) => new(
        cluster.Store.List(Kinds.Pod), cluster.Store.List(Kinds.ResourceClaim), cluster.Store.List(Kinds.ResourceSlice),
        cluster.Store.List(Kinds.DeviceClass).ToDictionary(c => c.Name(), StringComparer.Ordinal));

    public List<JsonObject> Claims { get; }

    /// <summary>The claims a pod uses; null while one of them (a template's claim not yet made) does not exist.</summary>
    public List<JsonObject>? ClaimsOf(JsonObject pod)
    {
        var claims = new List<JsonObject>();
        foreach (var (_, claimName) in pod.ClaimNames())
        {
            var claim = claimName is null ? null : Claims.FirstOrDefault(c => c.Namespace() == pod.Namespace() && c.Name() == claimName);
            if (claim is null) return null;
            claims.Add(claim);
        }
        return claims;
    }

    public IReadOnlyList<PublishedDevice> Devices { get; }

    public IReadOnlyDictionary<string, JsonObject> DeviceClasses { get; }

    /// <summary>Devices allocated to some claim, as (driver, pool, device).</summary>
    public HashSet<(string, string, string)> InUse { get; } = [];

    /// <summary>The requests of the pods on a node, plus one "pods" per pod.</summary>
    public Dictionary<string, decimal> RequestedOn(string node)
    {
        var total = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (_, requests) in placed.Where(p => p.Node == node))
        {
            foreach (var (resource, amount) in requests) total[resource] = total.GetValueOrDefault(resource) + amount;
            total["pods"] = total.GetValueOrDefault("pods") + 1;
        }
        return total;
    }

    /// <summary>Counts <paramref name="pod"/> on <paramref name="node"/> and its new allocations as in use.</summary>
    public void Assume(JsonObject pod, string node, NodeFit fit)
    {
        placed.Add((node, ResourceMath.Requests(pod)));
        foreach (var result in fit.Allocations.Values.SelectMany(a => a.Results)) InUse.Add((result.Driver, result.Pool, result.Device));
    }

    /// <summary>Replaces a claim by its newer version (after binding wrote its allocation).</summary>
    public void Update(JsonObject claim)
    {
        Claims.RemoveAll(c => c.Uid() == claim.Uid());
        Claims.Add(claim);
        AddInUse(claim);
    }

    private void AddInUse(JsonObject claim)
    {
        foreach (var result in (claim["status"]?["allocation"]?["devices"]?["results"] as JsonArray ?? []).OfType<JsonObject>())
            InUse.Add(((string?)result["driver"] ?? "", (string?)result["pool"] ?? "", (string?)result["device"] ?? ""));
    }
}
