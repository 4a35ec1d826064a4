using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours.Scheduling;

/// <summary>kube-scheduler's FitError text, as FailedScheduling events and PodScheduled conditions carry it.</summary>
public static class FailedScheduling
{
    /// <summary>Counts per reason, sorted, then the preemption post-filter's verdict.</summary>
    public static string Message(int nodeCount, IReadOnlyDictionary<string, int> reasons, bool hasClaims)
    {
        var parts = reasons.Select(r => $"{r.Value} {r.Key}").Order(StringComparer.Ordinal);
        var claims = hasClaims ? "no new claims to deallocate, " : "";
        return $"0/{nodeCount} nodes are available: {string.Join(", ", parts)}. {claims}preemption: 0/{nodeCount} nodes are available: " +
               $"{nodeCount} Preemption is not helpful for scheduling.";
    }

    /// <summary>The reasons of the nodes a pod did not fit, counted as the message lists them.</summary>
    public static Dictionary<string, int> Count(IEnumerable<NodeFit> refusals)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var reason in refusals.SelectMany(fit => fit.Reasons)) counts[reason] = counts.GetValueOrDefault(reason) + 1;
        return counts;
    }

    /// <summary>
    /// What a scheduler does with a pod it cannot place: PodScheduled=False/Unschedulable with the message and a
    /// FailedScheduling event from <paramref name="schedulerName"/>; nothing when the pod says so already.
    /// </summary>
    public static void Mark(SimulatedCluster cluster, JsonObject pod, string message, string schedulerName)
    {
        var current = (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["type"] == "PodScheduled");
        if (current is not null && (string?)current["message"] == message && (string?)current["status"] == "False") return;
        var updated = cluster.Store.Mutate(Kinds.Pod, pod.Namespace(), pod.Name(), p =>
        {
            var status = p.Child("status");
            status["phase"] = "Pending";
            PodFacts.SetCondition(status, "PodScheduled", "False", "Unschedulable", message);
        }, statusOnly: true);
        if (updated is not null)
            cluster.Events.Record(updated, Kinds.Pod, "Warning", "FailedScheduling", message, schedulerName);
    }
}
