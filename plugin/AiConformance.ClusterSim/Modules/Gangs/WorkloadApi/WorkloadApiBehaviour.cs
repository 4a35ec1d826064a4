using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gangs.PodGroups;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gangs.WorkloadApi;

/// <summary>
/// kube-scheduler's own gang scheduling through the native Workload API (<c>scheduling.k8s.io/v1alpha2</c>, Kubernetes
/// 1.36, served when the scenario enables the group version): a pod names its PodGroup in
/// <c>spec.schedulingGroup.podGroupName</c>; the default scheduler places the members of a PodGroup whose
/// <c>schedulingPolicy.gang.minCount</c> is N only when N of them can be placed at once (each placement assumed for
/// the next, with the default scheduler's node fit), and binds them together; until then none is bound, each member
/// has PodScheduled=False/Unschedulable and the PodGroup says so in its <c>PodGroupScheduled</c> condition. A group
/// with the basic policy has its members placed one by one. The default scheduler leaves pods of a scheduling group
/// to this component (without it, they are placed one by one as any pod).
/// </summary>
public sealed class WorkloadApiBehaviour : PodGroupSchedulerBehaviour
{
    public const string ComponentName = "workload-api";
    public const string ScheduledCondition = "PodGroupScheduled";

    public static readonly ResourceKind PodGroup = new("scheduling.k8s.io", "v1alpha2", "PodGroup", "podgroups", true);

    public override string Name => ComponentName;

    protected override ResourceKind PodGroupKind => PodGroup;

    protected override ResourceKind? QueueKind => null;

    protected override string DefaultSchedulerName => SchedulerBehaviour.SchedulerName;

    /// <summary>The PodGroup a pod belongs to: <c>spec.schedulingGroup.podGroupName</c>.</summary>
    public static string? PodGroupOf(JsonObject pod) => (string?)pod["spec"]?["schedulingGroup"]?["podGroupName"];

    protected override string? GroupOf(JsonObject pod) => PodGroupOf(pod);

    /// <summary>A gang's <c>minCount</c>; a basic group's members are placed one by one.</summary>
    protected override int MinMemberOf(JsonObject podGroup) => JsonNumber.Int(podGroup["spec"]?["schedulingPolicy"]?["gang"]?["minCount"]) ?? 1;

    protected override string UnschedulableMessage(GroupState state, string reason) =>
        $"pod group {state.Group.Name()} cannot be scheduled: {reason}; {state.Pending.Count} of its pods wait for minCount {state.MinMember} to fit at once";

    protected override void WriteGroupStatus(JsonObject podGroup, GroupState state) => MutateStatus(PodGroup, podGroup, status =>
    {
        if (state.Active.Count >= state.MinMember)
            PodFacts.SetCondition(status, ScheduledCondition, "True", "Scheduled", $"{state.Active.Count} pod(s) of minCount {state.MinMember} scheduled", probeTime: false);
        else if (state.Refusal is { } refusal)
            PodFacts.SetCondition(status, ScheduledCondition, "False", "Unschedulable", refusal, probeTime: false);
    });
}
