using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The Priority admission plugin: a new pod's spec.priority and preemptionPolicy come from its PriorityClass (or the
/// global default one); an unknown class is refused with 403, as on a real cluster.
/// </summary>
public static class PriorityAdmission
{
    public static readonly ResourceKind PriorityClasses = new("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false);

    /// <summary>The classes every cluster has, with their values and descriptions.</summary>
    public static readonly IReadOnlyDictionary<string, (long Value, string Description)> SystemClasses = new Dictionary<string, (long, string)>
    {
        ["system-cluster-critical"] = (2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
        ["system-node-critical"] = (2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
    };

    public static void Admit(IClusterStore store, JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var className = spec.Str("priorityClassName");
        JsonObject? priorityClass;
        if (string.IsNullOrEmpty(className))
        {
            priorityClass = store.List(PriorityClasses, filter: c => c["globalDefault"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
                .OrderByDescending(c => c["value"].AsLong() ?? 0).FirstOrDefault();
            if (priorityClass is not null) spec["priorityClassName"] = priorityClass.Name();
        }
        else
        {
            priorityClass = store.Get(PriorityClasses, null, className)
                ?? throw StatusException.Forbidden(new ResourceKind("", "v1", "Pod", "pods", true), pod.Name(),
                    $"no PriorityClass with name {className} was found");
        }
        var value = priorityClass?["value"].AsLong() ?? 0;
        if (spec["priority"].AsLong() is { } given && given != value)
            throw StatusException.Forbidden(new ResourceKind("", "v1", "Pod", "pods", true), pod.Name(),
                $"the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name");
        spec["priority"] = value;
        var policy = priorityClass?.Str("preemptionPolicy") ?? "PreemptLowerPriority";
        if (spec.Str("preemptionPolicy") is { } asked && asked != policy)
            throw StatusException.Forbidden(new ResourceKind("", "v1", "Pod", "pods", true), pod.Name(),
                $"the string value of PreemptionPolicy ({asked}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
        spec["preemptionPolicy"] = policy;
    }
}
