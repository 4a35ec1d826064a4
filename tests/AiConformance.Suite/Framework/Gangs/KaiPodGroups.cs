using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// The KAI scheduler: a <c>scheduling.run.ai</c> PodGroup in a test-owned leaf Queue (under a test-owned parent)
/// whose CPU <c>limit</c> (in millicpus) holds exactly the members; a member carries the <c>kai.scheduler/queue</c>
/// label, the <c>pod-group-name</c> annotation and <c>schedulerName: kai-scheduler</c>. KAI writes
/// <c>schedulingConditions</c> on a group it cannot place and a queue's <c>allocated</c> resources.
/// </summary>
public sealed class KaiPodGroups(string version)
    : QueuedPodGroupScheduler(new ApiKind(Group, version, "podgroups", "PodGroup"), "kai-scheduler", new ApiKind(Group, "v2", "queues", "Queue"))
{
    public const string Group = "scheduling.run.ai";
    public const string QueueLabel = "kai.scheduler/queue";
    public const string PodGroupAnnotation = "pod-group-name";

    public override IReadOnlyList<CustomObject> QueuesFor(string name, int milliCpu)
    {
        var parent = CustomObject.Named($"{name}-parent", Resources(milliCpu));
        var leaf = CustomObject.Named(name, Resources(milliCpu));
        leaf.Spec!["parentQueue"] = parent.Metadata.Name;
        return [parent, leaf];
    }

    /// <summary>KAI has no state for a queue: one that exists takes groups.</summary>
    public override bool IsOpen(CustomObject queue) => queue.Metadata.DeletionTimestamp is null;

    public override IReadOnlyDictionary<string, decimal> QueueUsage(CustomObject queue) => Quantities(queue.Status?["allocated"], "allocated ");

    public override JsonObject PodGroupSpec(string group, int members, IGangCapacity capacity) => new() { ["minMember"] = members, ["queue"] = capacity.QueueName };

    public override void Join(V1Pod pod, string group, IGangCapacity capacity)
    {
        pod.Metadata.Labels[QueueLabel] = capacity.QueueName!;
        Annotate(pod, PodGroupAnnotation, group);
    }

    public override bool SaysUnschedulable(CustomObject podGroup) =>
        (podGroup.Status?["schedulingConditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "UnschedulableOnNodePool" && (string?)c["status"] == "True");

    public override string Describe(CustomObject? podGroup) =>
        podGroup is null ? "not found"
            : $"running {podGroup.Status?["running"] ?? 0}, pending {podGroup.Status?["pending"] ?? 0}; scheduling conditions: " +
              string.Join(", ", (podGroup.Status?["schedulingConditions"] as JsonArray ?? []).OfType<JsonObject>().Select(c =>
                  $"{c["type"]}={c["status"]} on {c["nodePool"]}: " +
                  string.Join("; ", (c["reasons"] as JsonArray ?? []).OfType<JsonObject>().Select(r => $"{r["reason"]} {r["message"]}"))));

    /// <summary>A KAI queue's resources: CPU quota and limit in millicpus; GPU and memory unlimited (-1).</summary>
    private static JsonObject Resources(int milliCpu) => new()
    {
        ["resources"] = new JsonObject
        {
            ["cpu"] = new JsonObject { ["quota"] = milliCpu, ["limit"] = milliCpu, ["overQuotaWeight"] = 1 },
            ["gpu"] = new JsonObject { ["quota"] = -1, ["limit"] = -1, ["overQuotaWeight"] = 1 },
            ["memory"] = new JsonObject { ["quota"] = -1, ["limit"] = -1, ["overQuotaWeight"] = 1 },
        },
    };
}
