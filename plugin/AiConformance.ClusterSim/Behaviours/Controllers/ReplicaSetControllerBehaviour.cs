using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Controllers;

/// <summary>The ReplicaSet controller: keeps <c>replicas</c> active pods from the template and reports their readiness.</summary>
public sealed class ReplicaSetControllerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "replicaset-controller";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.ReplicaSet, Kinds.Pod];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var pods = Store.List(Kinds.Pod);
        foreach (var replicaSet in Store.List(Kinds.ReplicaSet).Where(r => !r.IsDeleting()))
        {
            var owned = OwnedPods.Of(pods, replicaSet);
            var active = owned.Where(OwnedPods.IsActive).ToList();
            var wanted = JsonNumber.Int(replicaSet["spec"]?["replicas"]) ?? 1;
            for (var i = active.Count; i < wanted; i++)
            {
                var prefix = replicaSet.Name() + "-";
                try
                {
                    // Through the API server's admission, as the real controller's create is: webhooks may change the pod.
                    var pod = OwnedPods.FromTemplate(replicaSet, prefix + Names.Suffix(), prefix, new Dictionary<string, string>());
                    await Cluster.AdmitCreation(Kinds.Pod, pod, cancellationToken);
                    Store.Create(Kinds.Pod, pod);
                }
                catch (StatusException e)
                {
                    Cluster.Events.Record(replicaSet, Kinds.ReplicaSet, "Warning", "FailedCreate", $"Error creating: {e.Message}", ComponentName);
                    break;
                }
            }
            // Scale down the least useful first: unscheduled, then not ready, then the newest.
            foreach (var extra in active.OrderBy(p => p.NodeName() is null ? 0 : 1).ThenBy(p => p.IsReady() ? 1 : 0)
                         .ThenByDescending(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal).Take(Math.Max(0, active.Count - wanted)))
                OwnedPods.TryDelete(Store, extra);
            var kept = active.Take(Math.Min(active.Count, wanted)).ToList();
            OwnedPods.WriteStatus(Store, Kinds.ReplicaSet, replicaSet, status =>
            {
                status["replicas"] = Math.Min(active.Count, wanted);
                status["fullyLabeledReplicas"] = Math.Min(active.Count, wanted);
                status["readyReplicas"] = active.Count(p => p.IsReady());
                status["availableReplicas"] = active.Count(p => p.IsReady());
                status["observedGeneration"] = JsonNumber.Long(replicaSet["metadata"]?["generation"]) ?? 1;
            });
        }
    }
}
