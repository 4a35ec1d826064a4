using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;

namespace AiConformance.ClusterSim.Behaviours.Scheduling;

/// <summary>
/// Whether a pod fits a node: it fits (with the allocations its unallocated claims would get there), it does not fit
/// (with the reasons of the filter that refused it, as kube-scheduler words them), or one of its claims asks for what
/// the simulated allocator cannot evaluate (<see cref="Unsupported"/>), which no node can change.
/// </summary>
public sealed record NodeFit(bool Fits, IReadOnlyList<string> Reasons, IReadOnlyDictionary<string, ClaimAllocation> Allocations, string? Unsupported = null)
{
    private static readonly Dictionary<string, ClaimAllocation> NoAllocations = new(StringComparer.Ordinal);

    public static NodeFit Fit(IReadOnlyDictionary<string, ClaimAllocation> allocations) => new(true, [], allocations);

    public static NodeFit DoesNotFit(params string[] reasons) => new(false, reasons, NoAllocations);

    public static NodeFit Refused(string unsupported) => new(false, [], NoAllocations, unsupported);
}

/// <summary>
/// kube-scheduler's filter plugins for one pod and one node, real or hypothetical: NodeUnschedulable, TaintToleration
/// (the not-ready taint included), NodeAffinity, NodeResourcesFit (extended resources and the pod count) and
/// DynamicResources (claims already allocated must be on the node; the others are allocated from its free devices).
/// The first filter that refuses decides, as in the scheduler framework.
/// </summary>
public sealed class NodeFitCheck(DeviceAllocator allocator, Func<JsonObject, bool> ignoresDevicesInUse)
{
    public NodeFit Check(JsonObject pod, IReadOnlyList<JsonObject> claims, JsonObject node, SchedulingSnapshot snapshot)
    {
        if ((bool?)node["spec"]?["unschedulable"] == true) return NodeFit.DoesNotFit("node(s) were unschedulable");
        if (!NodeIsReady(node)) return NodeFit.DoesNotFit("node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
        if (UntoleratedTaint(pod, node) is { } taint) return NodeFit.DoesNotFit($"node(s) had untolerated taint {{{taint}}}");
        if (!NodeAffinity.Matches(pod, node)) return NodeFit.DoesNotFit("node(s) didn't match Pod's node affinity/selector");
        if (InsufficientResources(pod, node, snapshot) is { Count: > 0 } insufficient) return NodeFit.DoesNotFit([.. insufficient]);
        return AllocateClaims(claims, node, snapshot);
    }

    private NodeFit AllocateClaims(IReadOnlyList<JsonObject> claims, JsonObject node, SchedulingSnapshot snapshot)
    {
        var allocations = new Dictionary<string, ClaimAllocation>(StringComparer.Ordinal);
        var inUse = new HashSet<(string, string, string)>(snapshot.InUse);
        foreach (var claim in claims)
        {
            if (claim["status"]?["allocation"] is JsonObject allocation)
            {
                if (allocation["nodeSelector"]?["nodeSelectorTerms"] is JsonArray terms && !NodeAffinity.AnyTermMatches(terms, node))
                    return NodeFit.DoesNotFit("resourceclaim not available on the node");
                continue;
            }
            var outcome = allocator.Allocate(claim, node.Name(), snapshot.Devices,
                ignoresDevicesInUse(claim) ? new HashSet<(string, string, string)>() : inUse, snapshot.DeviceClasses);
            if (outcome.Refusal is not null) return NodeFit.Refused(outcome.Refusal);
            if (!outcome.Succeeded) return NodeFit.DoesNotFit("cannot allocate all claims");
            foreach (var result in outcome.Results) inUse.Add((result.Driver, result.Pool, result.Device));
            allocations[claim.Name()] = outcome;
        }
        return NodeFit.Fit(allocations);
    }

    private static bool NodeIsReady(JsonObject node) =>
        (node["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True");

    private static string? UntoleratedTaint(JsonObject pod, JsonObject node)
    {
        var tolerations = (pod["spec"]?["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var taint in (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var effect = (string?)taint["effect"];
            if (effect is not ("NoSchedule" or "NoExecute")) continue;
            var key = (string?)taint["key"] ?? "";
            var value = (string?)taint["value"] ?? "";
            var tolerated = tolerations.Any(t =>
            {
                var tEffect = (string?)t["effect"];
                if (!string.IsNullOrEmpty(tEffect) && tEffect != effect) return false;
                var tKey = (string?)t["key"] ?? "";
                if ((string?)t["operator"] == "Exists") return tKey.Length == 0 || tKey == key;
                return tKey == key && ((string?)t["value"] ?? "") == value;
            });
            if (!tolerated) return $"{key}: {value}";
        }
        return null;
    }

    private static List<string> InsufficientResources(JsonObject pod, JsonObject node, SchedulingSnapshot snapshot)
    {
        var allocatable = node["status"]?["allocatable"] as JsonObject ?? [];
        var used = snapshot.RequestedOn(node.Name());
        if (used.GetValueOrDefault("pods") + 1 > ResourceMath.Parse(allocatable["pods"] ?? "110")) return ["Too many pods"];
        return [.. ResourceMath.Requests(pod).Where(r => r.Value > 0).OrderBy(r => r.Key, StringComparer.Ordinal)
            .Where(r => used.GetValueOrDefault(r.Key) + r.Value > (allocatable[r.Key] is { } a ? ResourceMath.Parse(a) : 0))
            .Select(r => $"Insufficient {r.Key}")];
    }
}
