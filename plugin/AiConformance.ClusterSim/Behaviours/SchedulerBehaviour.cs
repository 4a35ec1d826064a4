using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Modules.Gangs.WorkloadApi;
using AiConformance.ClusterSim.Behaviours.Scheduling;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// The default scheduler: for each pending pod it checks each node (<see cref="NodeFitCheck"/>) and binds the pod to
/// the first that fits (<see cref="PodBinder"/>), allocating its unallocated ResourceClaims there. A pod that fits
/// nowhere gets PodScheduled=False/Unschedulable and a FailedScheduling event worded as kube-scheduler words it.
/// Members of a Workload API PodGroup are placed by its gang scheduling (<c>workload-api</c>) when that runs.
/// </summary>
public sealed class SchedulerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "scheduler";
    public const string SchedulerName = "default-scheduler";
    public const string DeleteProtectionFinalizer = PodBinder.DeleteProtectionFinalizer;

    private readonly DeviceAllocator allocator = new();
    private readonly Dictionary<string, DateTime> firstSeen = new(StringComparer.Ordinal);

    public override string Name => ComponentName;

    protected override bool IsController => false;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } =
        [Kinds.Pod, Kinds.Node, Kinds.ResourceClaim, Kinds.ResourceSlice, Kinds.DeviceClass];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var pending = Store.List(Kinds.Pod).Where(IsOurs)
            .OrderBy(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal).ToList();
        if (pending.Count == 0) return Task.CompletedTask;
        var nodes = Store.List(Kinds.Node).OrderBy(n => n.Name(), StringComparer.Ordinal).ToList();
        var snapshot = SchedulingSnapshot.Of(Cluster);
        var fit = new NodeFitCheck(allocator, Cluster.Options<Modules.Accelerators.SchedulerOptions>(Name).ReusesAllocatedDevices);
        var binder = new PodBinder(Cluster, Name);
        foreach (var pod in pending)
        {
            if (!LatencyElapsed(pod)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            Schedule(pod, nodes, snapshot, fit, binder);
        }
        foreach (var uid in firstSeen.Keys.Except(pending.Select(p => p.Uid())).ToList()) firstSeen.Remove(uid);
        return Task.CompletedTask;
    }

    private bool IsOurs(JsonObject pod) =>
        pod.NodeName() is null && !pod.IsDeleting() && !pod.IsTerminal()
        && ((string?)pod["spec"]?["schedulerName"] ?? SchedulerName) == SchedulerName
        && (pod["spec"]?["schedulingGates"] as JsonArray ?? []).Count == 0
        // A member of a Workload API PodGroup is placed with its group by the gang scheduling component when it runs
        // (Modules/Gangs/WorkloadApi); without it (the GangScheduling gate off) members are placed one by one.
        && (WorkloadApiBehaviour.PodGroupOf(pod) is null || Cluster.Component(WorkloadApiBehaviour.ComponentName) is null);

    private bool LatencyElapsed(JsonObject pod)
    {
        var latency = Cluster.Latencies.Scheduling;
        if (latency <= TimeSpan.Zero) return true;
        var seen = firstSeen.TryGetValue(pod.Uid(), out var at) ? at : firstSeen[pod.Uid()] = DateTime.UtcNow;
        var remaining = seen + latency - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero) return true;
        RequeueAfter(remaining);
        return false;
    }

    private void Schedule(JsonObject pod, List<JsonObject> nodes, SchedulingSnapshot snapshot, NodeFitCheck fitCheck, PodBinder binder)
    {
        var claims = new List<JsonObject>();
        foreach (var (_, claimName) in pod.ClaimNames())
        {
            // A template's claim not yet created: the pod waits in the queue (PreEnqueue), without a condition.
            if (claimName is null) return;
            var claim = snapshot.Claims.FirstOrDefault(c => c.Namespace() == pod.Namespace() && c.Name() == claimName);
            if (claim is null)
            {
                MarkUnschedulable(pod, $"0/{nodes.Count} nodes are available: resourceclaim \"{claimName}\" not found.");
                return;
            }
            claims.Add(claim);
        }

        var refusals = new List<NodeFit>();
        foreach (var node in nodes)
        {
            var fit = fitCheck.Check(pod, claims, node, snapshot);
            if (fit.Unsupported is { } unsupported)
            {
                // A claim that uses CEL outside the simulated subset: said loudly in the condition, the event and the log.
                Cluster.Log.Warn(Name, $"pod {pod.Namespace()}/{pod.Name()}: {unsupported}");
                MarkUnschedulable(pod, $"0/{nodes.Count} nodes are available: {unsupported}");
                return;
            }
            if (fit.Fits)
            {
                binder.Bind(pod, node, claims, fit, snapshot);
                return;
            }
            refusals.Add(fit);
        }
        MarkUnschedulable(pod, FailedScheduling.Message(nodes.Count, FailedScheduling.Count(refusals), claims.Count > 0));
    }

    private void MarkUnschedulable(JsonObject pod, string message) => FailedScheduling.Mark(Cluster, pod, message, SchedulerName);
}
