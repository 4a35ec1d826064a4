using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// scheduler-plugins coscheduling: a <c>scheduling.x-k8s.io</c> PodGroup whose members carry the
/// <c>scheduling.x-k8s.io/pod-group</c> label and the name of the scheduler profile that enables the Coscheduling
/// plugin. It has no queues, so a test's capacity is a share of one node (<see cref="NodeShareCapacity"/>), and its
/// PodGroup has no condition for a group left unplaced: the scheduler's verdict is on the members (PodScheduled=False).
/// </summary>
public sealed class CoschedulingPodGroups(string version, string schedulerName)
    : PodGroupScheduler(new ApiKind(Group, version, "podgroups", "PodGroup"), schedulerName)
{
    public const string Group = "scheduling.x-k8s.io";
    public const string PodGroupLabel = "scheduling.x-k8s.io/pod-group";

    public override bool VerdictOnPodGroup => false;

    public override IGangCapacity Capacity(TestNamespace ns) => new NodeShareCapacity(ns);

    public override JsonObject PodGroupSpec(string group, int members, IGangCapacity capacity) => new() { ["minMember"] = members };

    public override void Join(V1Pod pod, string group, IGangCapacity capacity) => pod.Metadata.Labels[PodGroupLabel] = group;

    public override bool SaysUnschedulable(CustomObject podGroup) => false;

    public override string Describe(CustomObject? podGroup) =>
        podGroup is null ? "not found"
            : $"phase {podGroup.Status?["phase"]}, running {podGroup.Status?["running"] ?? 0}, scheduleStartTime {podGroup.Status?["scheduleStartTime"]}";
}
