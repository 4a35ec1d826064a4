using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;

namespace AiConformance.ClusterSim.Behaviours.Scheduling;

/// <summary>
/// Binds a pod to the node it fits, as kube-scheduler's DynamicResources PreBind and the binding call do: each claim
/// gets its allocation (when new), the pod in <c>reservedFor</c> and the delete-protection finalizer; then the pod
/// gets its node name, PodScheduled=True and a Scheduled event from the scheduler that placed it.
/// </summary>
public sealed class PodBinder(SimulatedCluster cluster, string component, string schedulerName = SchedulerBehaviour.SchedulerName)
{
    public const string DeleteProtectionFinalizer = "resource.kubernetes.io/delete-protection";

    /// <summary>Binds and records the placement in <paramref name="snapshot"/>; false when the pod went away meanwhile.</summary>
    public bool Bind(JsonObject pod, JsonObject node, IReadOnlyList<JsonObject> claims, NodeFit fit, SchedulingSnapshot snapshot)
    {
        var store = cluster.Store;
        var reference = new JsonObject { ["resource"] = "pods", ["name"] = pod.Name(), ["uid"] = pod.Uid() };
        foreach (var claim in claims)
        {
            fit.Allocations.TryGetValue(claim.Name(), out var allocation);
            var updated = store.Mutate(Kinds.ResourceClaim, claim.Namespace(), claim.Name(), c =>
            {
                var status = c.Child("status");
                if (allocation is not null) status["allocation"] = AllocationJson(allocation, node.Name());
                var reserved = status.Array("reservedFor");
                if (!reserved.OfType<JsonObject>().Any(r => (string?)r["uid"] == pod.Uid())) reserved.Add(reference.DeepClone());
            }, statusOnly: true);
            store.Mutate(Kinds.ResourceClaim, claim.Namespace(), claim.Name(), c =>
            {
                var finalizers = c.Metadata().Array("finalizers");
                if (!finalizers.Any(f => (string?)f == DeleteProtectionFinalizer)) finalizers.Add(DeleteProtectionFinalizer);
            });
            if (updated is not null) snapshot.Update(updated);
        }
        // As pods/binding does: the node name, then the PodScheduled condition.
        if (store.Mutate(Kinds.Pod, pod.Namespace(), pod.Name(), p => p.Child("spec")["nodeName"] = node.Name()) is null) return false;
        var bound = store.Mutate(Kinds.Pod, pod.Namespace(), pod.Name(), p =>
        {
            PodFacts.SetCondition(p.Child("status"), "PodScheduled", "True");
            p.Child("status")["phase"] ??= "Pending";
        }, statusOnly: true);
        if (bound is null) return false;
        snapshot.Assume(bound, node.Name(), fit);
        cluster.Events.Record(bound, Kinds.Pod, "Normal", "Scheduled",
            $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node.Name()}", schedulerName);
        cluster.Log.Info(component, $"bound {pod.Namespace()}/{pod.Name()} to {node.Name()}");
        return true;
    }

    private static JsonObject AllocationJson(ClaimAllocation allocation, string node)
    {
        var results = new JsonArray();
        foreach (var r in allocation.Results)
            results.Add(new JsonObject { ["request"] = r.Request, ["driver"] = r.Driver, ["pool"] = r.Pool, ["device"] = r.Device });
        return new JsonObject
        {
            ["devices"] = new JsonObject { ["results"] = results },
            ["nodeSelector"] = new JsonObject
            {
                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                {
                    ["matchFields"] = new JsonArray(new JsonObject
                    {
                        ["key"] = "metadata.name", ["operator"] = "In", ["values"] = new JsonArray(node),
                    }),
                }),
            },
            ["allocationTimestamp"] = Json.Now(),
        };
    }
}
