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
}
