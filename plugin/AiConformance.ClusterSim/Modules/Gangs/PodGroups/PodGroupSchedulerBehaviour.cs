using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Behaviours.Scheduling;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gangs.PodGroups;

/// <summary>
/// A scheduler that places pods by PodGroup, as Volcano, KAI, scheduler-plugins coscheduling and kube-scheduler's
/// Workload API gang scheduling do: for each group with pending members of its scheduler name, it places members one
/// by one on hypothetical nodes (the default scheduler's node fit, DRA claims included, each placement and its
/// devices assumed for the next) within the limit of the group's queue, and binds them only when the members running and placed reach <c>minMember</c> (the
/// group's gang size, however the project spells it); otherwise no member is bound, the members get
/// PodScheduled=False and the PodGroup says why in the project's own status fields. Subclasses say how pods join
/// groups, what a queue allows and how status is written.
/// </summary>
public abstract class PodGroupSchedulerBehaviour : ReconcilingBehaviour
{
    private readonly DeviceAllocator allocator = new();

    protected override bool IsController => false;

    protected abstract ResourceKind PodGroupKind { get; }

    /// <summary>The queue kind whose limits bound groups; null when the project has none.</summary>
    protected abstract ResourceKind? QueueKind { get; }

    protected abstract string DefaultSchedulerName { get; }

    protected GangSchedulerOptions Options => Cluster.Options<GangSchedulerOptions>(Name);

    /// <summary>The pods' <c>spec.schedulerName</c> this scheduler serves.</summary>
    protected string SchedulerName => Options.SchedulerName ?? DefaultSchedulerName;

    // Claims and slices too, as the default scheduler: a member's claim created from its template, or a device freed
    // by another pod's claim, changes what fits without any pod or group changing.
    protected override IReadOnlyCollection<ResourceKind> Watches =>
        [Kinds.Pod, Kinds.Node, Kinds.ResourceClaim, Kinds.ResourceSlice, Kinds.DeviceClass, PodGroupKind,
         .. QueueKind is null ? Array.Empty<ResourceKind>() : [QueueKind]];

    /// <summary>The PodGroup a pod belongs to, from its label or annotation.</summary>
    protected abstract string? GroupOf(JsonObject pod);

    /// <summary>How many members must be placed at once, from the PodGroup's spec.</summary>
    protected virtual int MinMemberOf(JsonObject podGroup) => JsonNumber.Int(podGroup["spec"]?["minMember"]) ?? 1;

    /// <summary>The PodScheduled message of members left unplaced, in the project's wording.</summary>
    protected virtual string UnschedulableMessage(GroupState state, string reason) =>
        $"{state.Pending.Count}/{state.Members.Count} tasks in gang unschedulable: {reason}";

    /// <summary>The queue a group is submitted to.</summary>
    protected virtual string? QueueOf(JsonObject podGroup) => (string?)podGroup["spec"]?["queue"];

    /// <summary>What a queue allows in all, by resource, in the units of pod requests; a resource not listed is unlimited.</summary>
    protected virtual IReadOnlyDictionary<string, decimal> LimitOf(JsonObject queue) => new Dictionary<string, decimal>();

    /// <summary>Writes the group's status: its members counted, and the verdict of the last pass when it was not placed.</summary>
    protected abstract void WriteGroupStatus(JsonObject podGroup, GroupState state);

    /// <summary>Writes a queue's status: what its groups hold.</summary>
    protected virtual void WriteQueueStatus(JsonObject queue, IReadOnlyList<GroupState> groups)
    {
    }

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var options = Options;
        var pods = Store.List(Kinds.Pod).Where(p => ((string?)p["spec"]?["schedulerName"] ?? SchedulerBehaviour.SchedulerName) == SchedulerName).ToList();
        var queues = QueueKind is null ? [] : Store.List(QueueKind).ToDictionary(q => q.Name(), StringComparer.Ordinal);
        var nodes = Store.List(Kinds.Node).OrderBy(n => n.Name(), StringComparer.Ordinal).ToList();
        var states = Store.List(PodGroupKind).Where(g => !g.IsDeleting())
            .OrderBy(g => (string?)g["metadata"]?["creationTimestamp"], StringComparer.Ordinal)
            .Select(group => new GroupState(group, [.. pods.Where(p => p.Namespace() == group.Namespace() && GroupOf(p) == group.Name() && !p.IsDeleting())], QueueOf(group), MinMemberOf(group)))
            .ToList();
        // What each queue's groups hold before this pass places anything.
        var used = states.GroupBy(s => s.Queue ?? "").ToDictionary(g => g.Key, g => Sum(g.SelectMany(s => s.Active)), StringComparer.Ordinal);
        for (var index = 0; index < states.Count; index++)
        {
            if (states[index].Pending.Count > 0) states[index] = Schedule(states[index], queues, used, nodes, options);
            WriteGroupStatus(states[index].Group, states[index]);
        }
        foreach (var queue in queues.Values) WriteQueueStatus(queue, [.. states.Where(s => s.Queue == queue.Name())]);
        return Task.CompletedTask;
    }

    private GroupState Schedule(GroupState state, Dictionary<string, JsonObject> queues, Dictionary<string, Dictionary<string, decimal>> usedByQueue,
        List<JsonObject> nodes, GangSchedulerOptions options)
    {
        if (state.Active.Count + state.Pending.Count < state.MinMember)
            return Refuse(state, $"pod group is not ready, {state.Active.Count + state.Pending.Count} member(s) of minMember {state.MinMember} exist", options);
        JsonObject? queue = null;
        if (QueueKind is not null && (state.Queue is null || !queues.TryGetValue(state.Queue, out queue)))
            return Refuse(state, $"queue {state.Queue} not found", options);
        var limit = queue is null ? new Dictionary<string, decimal>() : LimitOf(queue);
        var used = new Dictionary<string, decimal>(usedByQueue.GetValueOrDefault(state.Queue ?? "") ?? [], StringComparer.Ordinal);
        var planning = SchedulingSnapshot.Of(Cluster);
        var fitCheck = new NodeFitCheck(allocator, _ => false);
        var placed = new List<(JsonObject Pod, JsonObject Node, IReadOnlyList<JsonObject> Claims, NodeFit Fit)>();
        string? refusal = null;
        var byQueue = false;
        foreach (var pod in state.Pending.OrderBy(p => p.Name(), StringComparer.Ordinal))
        {
            var requests = ResourceMath.Requests(pod);
            if (requests.FirstOrDefault(r => limit.TryGetValue(r.Key, out var cap) && used.GetValueOrDefault(r.Key) + r.Value > cap).Key is { } over)
            {
                byQueue = true;
                refusal = $"queue {state.Queue} resource quota insufficient: {over} limit {ResourceMath.Format(limit[over])}, in use {ResourceMath.Format(used.GetValueOrDefault(over))}";
                break;
            }
            // A member's devices are allocated with the group's: each placement assumes its devices taken for the next.
            if (planning.ClaimsOf(pod) is not { } claims)
            {
                refusal = $"pod {pod.Name()} waits for its resource claims to be created";
                break;
            }
            var fits = nodes.Select(node => (Node: node, Fit: fitCheck.Check(pod, claims, node, planning))).ToList();
            if (fits.FirstOrDefault(f => f.Fit.Fits) is not { Node: not null } chosen)
            {
                refusal = FailedScheduling.Message(nodes.Count, FailedScheduling.Count(fits.Select(f => f.Fit)), hasClaims: claims.Count > 0);
                break;
            }
            planning.Assume(pod, chosen.Node.Name(), chosen.Fit);
            placed.Add((pod, chosen.Node, claims, chosen.Fit));
            foreach (var (resource, amount) in requests) used[resource] = used.GetValueOrDefault(resource) + amount;
        }
        if (state.Active.Count + placed.Count < state.MinMember && !options.Fault.BindsBelowMinMember)
            return Refuse(state, refusal ?? "not enough members placed", options) with { RefusedByQueue = byQueue };
        // Claims are allocated for the whole group or for none of it: only members of a group that reached minMember are bound.
        var binder = new PodBinder(Cluster, Name, SchedulerName);
        var binding = SchedulingSnapshot.Of(Cluster);
        var bound = placed.Where(p => binder.Bind(p.Pod, p.Node, p.Claims, p.Fit, binding)).Select(p => p.Pod).ToList();
        var queueTotal = usedByQueue.TryGetValue(state.Queue ?? "", out var existing) ? existing : usedByQueue[state.Queue ?? ""] = new(StringComparer.Ordinal);
        foreach (var (resource, amount) in Sum(bound)) queueTotal[resource] = queueTotal.GetValueOrDefault(resource) + amount;
        if (state.Active.Count + bound.Count < state.MinMember)
            Cluster.Log.Info(Name, $"bound {bound.Count} member(s) of {state.Group.Namespace()}/{state.Group.Name()} below minMember {state.MinMember} ({options.Fault.GetType().Name})");
        return state with { Bound = bound, Refusal = bound.Count == state.Pending.Count ? null : refusal };
    }

    private GroupState Refuse(GroupState state, string reason, GangSchedulerOptions options)
    {
        var message = UnschedulableMessage(state, reason);
        foreach (var pod in state.Pending) FailedScheduling.Mark(Cluster, pod, message, SchedulerName);
        return state with { Refusal = reason };
    }

    /// <summary>Writes <paramref name="change"/> to an object's status only when it changes something (a pass must not wake itself).</summary>
    protected void MutateStatus(ResourceKind kind, JsonObject current, Action<JsonObject> change)
    {
        var changed = (JsonObject)current.DeepClone();
        change(changed.Child("status"));
        if (JsonNode.DeepEquals(changed["status"], current["status"])) return;
        Store.Mutate(kind, current.Namespace(), current.Name(), obj => obj["status"] = changed["status"]!.DeepClone(), statusOnly: true);
    }

    protected static Dictionary<string, decimal> Sum(IEnumerable<JsonObject> pods)
    {
        var total = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (resource, amount) in pods.SelectMany(ResourceMath.Requests)) total[resource] = total.GetValueOrDefault(resource) + amount;
        return total;
    }
}

/// <summary>A PodGroup in one pass: its members, those bound and running, and the verdict when some could not be placed.</summary>
public sealed record GroupState(JsonObject Group, IReadOnlyList<JsonObject> Members, string? Queue, int MinMember)
{
    /// <summary>Members on a node and not ended (they hold resources).</summary>
    public IReadOnlyList<JsonObject> Active => [.. Members.Where(p => p.NodeName() is not null && !p.IsTerminal()).Concat(Bound)];

    /// <summary>Members waiting for a node (before this pass bound any).</summary>
    public IReadOnlyList<JsonObject> Pending =>
        [.. Members.Where(p => p.NodeName() is null && !p.IsTerminal() && (p["spec"]?["schedulingGates"] as JsonArray ?? []).Count == 0)];

    /// <summary>Members bound by this pass.</summary>
    public IReadOnlyList<JsonObject> Bound { get; init; } = [];

    /// <summary>Why members are left unplaced, null when none is.</summary>
    public string? Refusal { get; init; }

    /// <summary>Whether the queue's limit, not the nodes, left members unplaced.</summary>
    public bool RefusedByQueue { get; init; }

    public int Running => Members.Count(p => p.Phase() == "Running");

    public int Succeeded => Members.Count(p => p.Phase() == "Succeeded");

    public int Failed => Members.Count(p => p.Phase() == "Failed");

    public int Waiting => Pending.Count - Bound.Count;
}
