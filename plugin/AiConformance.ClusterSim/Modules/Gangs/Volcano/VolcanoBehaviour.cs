using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gangs.PodGroups;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gangs.Volcano;

/// <summary>
/// The Volcano scheduler (<c>schedulerName: volcano</c>): pods join a <c>scheduling.volcano.sh</c> PodGroup by the
/// <c>scheduling.k8s.io/group-name</c> annotation; a group runs in its Queue (<c>default</c> when none is named) only
/// within the queue's <c>capability</c>, and only whole (the gang plugin's minMember). PodGroup status as Volcano
/// writes it: phase Pending / Inqueue / Running / Completed, running/succeeded/failed counts, an Unschedulable
/// condition (NotEnoughResources) for a group left unplaced and a Scheduled one for a placed group; Queue status:
/// state Open, the resources its groups' bound members hold (<c>allocated</c>) and its groups counted by phase.
/// </summary>
public sealed class VolcanoBehaviour : PodGroupSchedulerBehaviour
{
    public const string ComponentName = "volcano";
    public const string CrdFolder = "volcano";
    public const string GroupNameAnnotation = "scheduling.k8s.io/group-name";
    private const string Group = "scheduling.volcano.sh";

    public static readonly ResourceKind PodGroup = new(Group, "v1beta1", "PodGroup", "podgroups", true);
    public static readonly ResourceKind Queue = new(Group, "v1beta1", "Queue", "queues", false);

    public override string Name => ComponentName;

    protected override ResourceKind PodGroupKind => PodGroup;

    protected override ResourceKind? QueueKind => Queue;

    protected override string DefaultSchedulerName => "volcano";

    protected override string? GroupOf(JsonObject pod) => (string?)pod["metadata"]?["annotations"]?[GroupNameAnnotation];

    protected override string? QueueOf(JsonObject podGroup) => (string?)podGroup["spec"]?["queue"] ?? "default";

    protected override IReadOnlyDictionary<string, decimal> LimitOf(JsonObject queue) =>
        (queue["spec"]?["capability"] as JsonObject ?? []).ToDictionary(r => r.Key, r => ResourceMath.Parse(r.Value), StringComparer.Ordinal);

    protected override void WriteGroupStatus(JsonObject podGroup, GroupState state) => MutateStatus(PodGroup, podGroup, status =>
    {
        status["phase"] = Phase(state);
        status["running"] = state.Running;
        status["succeeded"] = state.Succeeded;
        status["failed"] = state.Failed;
        if (state.Refusal is { } refusal)
            SetCondition(status, "Unschedulable", "True", "NotEnoughResources",
                $"{state.Waiting}/{state.Members.Count} tasks in gang unschedulable: {refusal}; {state.Waiting} Pending, {state.MinMember} minAvailable");
        else if (state.Active.Count >= state.MinMember)
        {
            status.Array("conditions").RemoveAll(c => (string?)c?["type"] == "Unschedulable");
            SetCondition(status, "Scheduled", "True", "tasks in gang are ready to be scheduled", "");
        }
    });

    protected override void WriteQueueStatus(JsonObject queue, IReadOnlyList<GroupState> groups) => MutateStatus(Queue, queue, status =>
    {
        var allocated = Sum(groups.SelectMany(g => g.Active));
        status["state"] = "Open";
        status["allocated"] = new JsonObject
        {
            ["cpu"] = ResourceMath.Format(allocated.GetValueOrDefault("cpu")),
            ["memory"] = ResourceMath.Format(allocated.GetValueOrDefault("memory")),
        };
        foreach (var phase in new[] { "Pending", "Inqueue", "Running", "Completed" })
            status[phase.ToLowerInvariant()] = groups.Count(g => Phase(g) == phase);
    });

    private static string Phase(GroupState state) =>
        state.Succeeded >= state.MinMember ? "Completed"
        : state.Running >= state.MinMember ? "Running"
        : state.Active.Count >= state.MinMember ? "Inqueue"
        : "Pending";

    /// <summary>A condition as Volcano's PodGroup carries it: a new transitionID whenever it changes.</summary>
    private static void SetCondition(JsonObject status, string type, string value, string reason, string message)
    {
        PodFacts.SetCondition(status, type, value, reason, message, probeTime: false);
        var condition = status.Array("conditions").OfType<JsonObject>().First(c => (string?)c["type"] == type);
        condition["transitionID"] ??= Guid.NewGuid().ToString();
    }
}
