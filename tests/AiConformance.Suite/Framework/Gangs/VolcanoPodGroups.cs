using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Volcano: a <c>scheduling.volcano.sh</c> PodGroup in a test-owned Queue whose <c>capability</c> limits the CPU; a
/// member carries the <c>scheduling.k8s.io/group-name</c> annotation and <c>schedulerName: volcano</c>. Volcano
/// writes an <c>Unschedulable</c> condition on a group it cannot place and counts a queue's <c>allocated</c> resources.
/// </summary>
public sealed class VolcanoPodGroups(string version)
    : QueuedPodGroupScheduler(new ApiKind(Group, version, "podgroups", "PodGroup"), "volcano", new ApiKind(Group, "v1beta1", "queues", "Queue"))
{
    public const string Group = "scheduling.volcano.sh";
    public const string GroupNameAnnotation = "scheduling.k8s.io/group-name";

    public override IReadOnlyList<CustomObject> QueuesFor(string name, int milliCpu) =>
        [CustomObject.Named(name, new JsonObject
        {
            ["capability"] = new JsonObject { ["cpu"] = $"{milliCpu}m" },
            ["reclaimable"] = false,
            ["weight"] = 1,
        })];

    public override bool IsOpen(CustomObject queue) => (string?)queue.Status?["state"] == "Open";

    public override IReadOnlyDictionary<string, decimal> QueueUsage(CustomObject queue)
    {
        var usage = Quantities(queue.Status?["allocated"], "allocated ");
        foreach (var count in new[] { "running", "inqueue" }) usage[$"{count} PodGroups"] = queue.Status?[count]?.GetValue<int>() ?? 0;
        return usage;
    }

    public override JsonObject PodGroupSpec(string group, int members, IGangCapacity capacity) => new()
    {
        ["minMember"] = members,
        ["queue"] = capacity.QueueName,
        ["minResources"] = new JsonObject { ["cpu"] = GangMembers.CpuFor(members) },
    };

    public override void Join(V1Pod pod, string group, IGangCapacity capacity) => Annotate(pod, GroupNameAnnotation, group);

    public override bool SaysUnschedulable(CustomObject podGroup) => podGroup.Condition("Unschedulable") == "True";

    public override string Describe(CustomObject? podGroup) =>
        podGroup is null ? "not found"
            : $"phase {podGroup.Status?["phase"]}, running {podGroup.Status?["running"] ?? 0}; conditions: {Conditions(podGroup.Status?["conditions"])}";
}
