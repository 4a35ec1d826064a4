using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gangs.PodGroups;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gangs.Kai;

/// <summary>
/// The KAI scheduler (<c>schedulerName: kai-scheduler</c>): pods join a <c>scheduling.run.ai</c> PodGroup by the
/// <c>pod-group-name</c> annotation and run in its Queue only within the queue's CPU <c>limit</c> (millicpus) and
/// only whole (minMember). PodGroup status as KAI writes it: running/pending counts, an UnschedulableOnNodePool
/// scheduling condition (reason OverLimit when the queue's limit refused it) for a group left unplaced, and the
/// resources its members hold; Queue status: the resources its groups hold (<c>allocated</c>, CPU in millicpus,
/// memory in megabytes). Parent queues' limits are not enforced (the fixtures give a leaf its parent's limit).
/// </summary>
public sealed class KaiBehaviour : PodGroupSchedulerBehaviour
{
    public const string ComponentName = "kai-scheduler";
    public const string CrdFolder = "kai-scheduler-v0.13.0";
    public const string PodGroupAnnotation = "pod-group-name";
    private const string Group = "scheduling.run.ai";
    private const string NodePool = "default";

    public static readonly ResourceKind PodGroup = new(Group, "v2alpha2", "PodGroup", "podgroups", true);
    public static readonly ResourceKind Queue = new(Group, "v2", "Queue", "queues", false);

    public override string Name => ComponentName;

    protected override ResourceKind PodGroupKind => PodGroup;

    protected override ResourceKind? QueueKind => Queue;

    protected override string DefaultSchedulerName => "kai-scheduler";

    protected override string? GroupOf(JsonObject pod) => (string?)pod["metadata"]?["annotations"]?[PodGroupAnnotation];

    protected override IReadOnlyDictionary<string, decimal> LimitOf(JsonObject queue)
    {
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var resources = queue["spec"]?["resources"];
        if (ResourceMath.Parse(resources?["cpu"]?["limit"] ?? -1) is var cpu and >= 0) limits["cpu"] = cpu / 1000;
        if (ResourceMath.Parse(resources?["memory"]?["limit"] ?? -1) is var memory and >= 0) limits["memory"] = memory * 1_000_000;
        return limits;
    }

    protected override void WriteGroupStatus(JsonObject podGroup, GroupState state) => MutateStatus(PodGroup, podGroup, status =>
    {
        status["running"] = state.Running;
        status["pending"] = state.Waiting;
        status["succeeded"] = state.Succeeded;
        status["failed"] = state.Failed;
        status["resourcesStatus"] = new JsonObject { ["allocated"] = Allocated(state.Active), ["requested"] = Allocated(state.Members.Where(p => !p.IsTerminal())) };
        var conditions = status.Array("schedulingConditions");
        var current = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "UnschedulableOnNodePool");
        if (state.Refusal is not { } refusal)
        {
            if (current is not null && state.Active.Count >= state.MinMember) conditions.Remove(current);
            return;
        }
        var reason = state.RefusedByQueue ? "OverLimit" : "Unschedulable";
        if (current is not null && (string?)current["message"] == refusal) return;
        var detail = new JsonObject { ["reason"] = reason, ["message"] = refusal };
        if (state.RefusedByQueue) detail["details"] = new JsonObject { ["queueDetails"] = new JsonObject { ["name"] = state.Queue } };
        var condition = new JsonObject
        {
            ["type"] = "UnschedulableOnNodePool",
            ["nodePool"] = NodePool,
            ["status"] = "True",
            ["reason"] = reason,
            ["message"] = refusal,
            ["reasons"] = new JsonArray(detail),
            ["transitionID"] = Guid.NewGuid().ToString(),
            ["lastTransitionTime"] = Json.Now(),
        };
        if (current is not null) conditions[conditions.IndexOf(current)] = condition;
        else conditions.Add(condition);
    });

    protected override void WriteQueueStatus(JsonObject queue, IReadOnlyList<GroupState> groups) => MutateStatus(Queue, queue, status =>
    {
        status["allocated"] = Allocated(groups.SelectMany(g => g.Active));
        status["requested"] = Allocated(groups.SelectMany(g => g.Members.Where(p => !p.IsTerminal())));
    });

    /// <summary>Resources as KAI counts them: CPU in millicpus, memory in megabytes, GPUs in devices.</summary>
    private static JsonObject Allocated(IEnumerable<JsonObject> pods)
    {
        var total = Sum(pods);
        return new JsonObject
        {
            ["cpu"] = ResourceMath.Format(total.GetValueOrDefault("cpu") * 1000),
            ["memory"] = ResourceMath.Format(decimal.Round(total.GetValueOrDefault("memory") / 1_000_000)),
            ["nvidia.com/gpu"] = ResourceMath.Format(total.GetValueOrDefault("nvidia.com/gpu")),
        };
    }
}
