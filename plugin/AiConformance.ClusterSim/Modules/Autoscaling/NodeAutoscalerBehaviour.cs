using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Behaviours.Scheduling;
using AiConformance.ClusterSim.Scenarios;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// A node autoscaler over the scenario's node groups that declare <c>maxCount</c> (one group per accelerator type,
/// <c>count</c> its minimum size). Every scan interval it does what cluster-autoscaler's loop does: pods the
/// scheduler marked Unschedulable that fit no existing node are packed onto the groups' node templates (the scheduler's
/// own node fit, with the DRA devices or extended resources a new node of the group would publish); the groups that
/// fit them grow, and the nodes join after the scale-up delay with their accelerators (published by the DRA drivers
/// and device plugins as on every node). A node of a group above its minimum that runs nothing but DaemonSet pods for
/// the unneeded time (and not within the delay after a scale-up) is tainted and removed. Pods that fit no group get
/// NotTriggerScaleUp. The <see cref="AutoscalerFlavour.ClusterAutoscaler"/> writes its status ConfigMap;
/// <see cref="AutoscalerFlavour.Karpenter"/> publishes a <c>karpenter.sh/v1</c> NodePool per group instead and labels
/// its nodes with it.
/// </summary>
public sealed class NodeAutoscalerBehaviour(AutoscalerFlavour flavour) : ReconcilingBehaviour
{
    public const string ClusterAutoscalerName = "cluster-autoscaler";
    public const string KarpenterName = "karpenter";
    public const string NodePoolLabel = "karpenter.sh/nodepool";
    public static readonly ResourceKind NodePool = new("karpenter.sh", "v1", "NodePool", "nodepools", false);

    private readonly Dictionary<string, GroupState> groups = new(StringComparer.Ordinal);
    private readonly HashSet<string> notTriggered = [];
    private readonly HashSet<string> faultLogged = [];
    private readonly DeviceAllocator allocator = new();
    private NodeAutoscalerOptions options = new();
    private DateTime started;
    private DateTime lastStatus;
    private string lastSummary = "";

    public override string Name => flavour == AutoscalerFlavour.Karpenter ? KarpenterName : ClusterAutoscalerName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        if (groups.Count == 0) Start(now);
        if (flavour == AutoscalerFlavour.Karpenter) LabelWithNodePool();
        RegisterProvisionedNodes(now);
        ScaleUp(now);
        ScaleDown(now);
        PublishStatus(now);
        RequeueAfter(options.ScanInterval);
        return Task.CompletedTask;
    }

    private void Start(DateTime now)
    {
        options = Cluster.Options<NodeAutoscalerOptions>(Name);
        started = now;
        foreach (var group in (Cluster.Scenario.Nodes ?? []).Where(group => group.MaxCount > group.Count))
        {
            var members = SimulatedCluster.NodeNames(Cluster.Scenario).Where(n => n.Group == group).Select(n => n.Node);
            groups[group.Name] = new GroupState(group, [.. members]);
            if (flavour == AutoscalerFlavour.Karpenter) PublishNodePool(group);
        }
    }

    /// <summary>Nodes whose scale-up delay passed join the cluster, as their kubelet registers them.</summary>
    private void RegisterProvisionedNodes(DateTime now)
    {
        foreach (var state in groups.Values)
        {
            foreach (var node in state.Provisioning.Where(entry => entry.Value <= now).Select(entry => entry.Key).ToList())
            {
                state.Provisioning.Remove(node);
                var withAccelerators = options.Fault.ProvisionsAccelerators;
                if (!withAccelerators) Once($"node {node} of group {state.Group.Name} joins without its accelerators ({options.Fault.Name})");
                var ordinal = Cluster.AddNode(node, state.Group, withAccelerators);
                Store.Create(Kinds.Node, NodeOf(state.Group, node, ordinal));
                state.Members.Add(node);
                state.Added.Add(node);
                Cluster.Log.Info(Name, $"node {node} of group {state.Group.Name} registered");
            }
        }
    }

    private void ScaleUp(DateTime now)
    {
        var pending = Store.List(Kinds.Pod).Where(IsUnschedulable)
            .OrderBy(pod => (string?)pod["metadata"]?["creationTimestamp"], StringComparer.Ordinal).ToList();
        notTriggered.IntersectWith(pending.Select(pod => pod.Uid()));
        if (pending.Count == 0) return;
        var nodes = Store.List(Kinds.Node);
        var templates = groups.Values.ToDictionary(state => state, state => Templates(state, nodes));
        var snapshot = new SchedulingSnapshot(Store.List(Kinds.Pod), Store.List(Kinds.ResourceClaim),
            [.. Store.List(Kinds.ResourceSlice), .. templates.Values.SelectMany(list => list).SelectMany(template => template.Slices)],
            Store.List(Kinds.DeviceClass).ToDictionary(c => c.Name(), StringComparer.Ordinal));
        var fit = new NodeFitCheck(allocator, _ => false);
        var opened = groups.Values.ToDictionary(state => state, state => state.Upcoming(Cluster, nodes).Count + state.Provisioning.Count);
        var upcoming = new Dictionary<GroupState, int>(opened);
        var triggered = new Dictionary<GroupState, List<JsonObject>>();
        foreach (var pod in pending)
        {
            if (options.Fault.Ignores(pod))
            {
                Once($"pod {pod.Namespace()}/{pod.Name()} asks for accelerators: left out of the scale-up plan ({options.Fault.Name})");
                continue;
            }
            var claims = snapshot.ClaimsOf(pod);
            if (claims is null) continue;
            // Pods an existing node can take are the scheduler's to place, as cluster-autoscaler filters them out first.
            var existing = nodes.Where(node => !node.IsDeleting()).Select(node => (node, fit: fit.Check(pod, claims, node, snapshot)))
                .FirstOrDefault(candidate => candidate.fit.Fits);
            if (existing.node is not null)
            {
                snapshot.Assume(pod, existing.node.Name(), existing.fit);
                continue;
            }
            if (Place(pod, claims, templates, opened, snapshot, fit) is { } placed)
            {
                // A pod that fits a node already on its way (upcoming, provisioning) triggers nothing.
                if (placed.Template < upcoming[placed.State]) continue;
                if (!triggered.TryGetValue(placed.State, out var pods)) triggered[placed.State] = pods = [];
                pods.Add(pod);
            }
            else if (notTriggered.Add(pod.Uid()))
            {
                Cluster.Events.Record(pod, Kinds.Pod, "Normal", "NotTriggerScaleUp",
                    $"pod didn't trigger scale-up: {groups.Count} node group(s) cannot fit it", Name);
            }
        }
        foreach (var (state, pods) in triggered)
        {
            var add = opened[state] - state.Upcoming(Cluster, nodes).Count - state.Provisioning.Count;
            if (add <= 0) continue;
            var before = state.Target;
            for (var i = 0; i < add; i++) state.Provisioning[$"{state.Group.Name}-{Names.Suffix()}"] = now + options.ScaleUpDelay;
            state.LastScaleUp = now;
            var sizes = $"{state.Group.Name} {before}->{state.Target} (max: {state.Group.MaxCount})";
            Cluster.Log.Info(Name, $"scale-up: {sizes} for {pods.Count} pod(s)");
            foreach (var pod in pods)
                Cluster.Events.Record(pod, Kinds.Pod, "Normal", "TriggeredScaleUp", $"pod triggered scale-up: [{{{sizes}}}]", Name);
            if (flavour == AutoscalerFlavour.ClusterAutoscaler && Store.Get(Kinds.ConfigMap, AutoscalerStatus.Namespace, AutoscalerStatus.Name) is { } status)
                Cluster.Events.Record(status, Kinds.ConfigMap, "Normal", "ScaledUpGroup",
                    $"Scale-up: setting group {state.Group.Name} size to {state.Target} instead of {before} (max: {state.Group.MaxCount})", Name);
        }
    }

    /// <summary>
    /// Packs a pod onto its groups' node templates: the nodes already opened in this plan first, then one more while
    /// the group is below its maximum; returns the group whose template takes it, and which template.
    /// </summary>
    private static (GroupState State, int Template)? Place(JsonObject pod, IReadOnlyList<JsonObject> claims, Dictionary<GroupState, List<NodeTemplate>> templates,
        Dictionary<GroupState, int> opened, SchedulingSnapshot snapshot, NodeFitCheck fit)
    {
        foreach (var (state, list) in templates.OrderBy(entry => entry.Key.Group.Name, StringComparer.Ordinal))
        {
            for (var i = 0; i < list.Count; i++)
            {
                var result = fit.Check(pod, claims, list[i].Node, snapshot);
                if (!result.Fits) continue;
                snapshot.Assume(pod, list[i].Node.Name(), result);
                opened[state] = Math.Max(opened[state], i + 1);
                return (state, i);
            }
        }
        return null;
    }

    /// <summary>
    /// The nodes a group could still bring: one template per node being provisioned, not registered yet or registered
    /// without its devices yet (as cluster-autoscaler counts upcoming and resource-unready nodes), then one per node up
    /// to its maximum.
    /// </summary>
    private List<NodeTemplate> Templates(GroupState state, IReadOnlyList<JsonObject> nodes)
    {
        var count = state.Group.MaxCount!.Value - state.Members.Count + state.Upcoming(Cluster, nodes).Count;
        return [.. Enumerable.Range(0, Math.Max(0, count)).Select(i => NodeTemplate.Of(state.Group, NodeOf(state.Group, $"template-node-for-{state.Group.Name}-{i}", 0)))];
    }

    /// <summary>The Node a group's new node registers as (Karpenter's carry their NodePool's label).</summary>
    private JsonObject NodeOf(NodeGroup group, string name, int ordinal)
    {
        var node = NodesBehaviour.Manifest(name, group, Cluster.Scenario.KubernetesVersion ?? "v1.35", ordinal);
        if (flavour == AutoscalerFlavour.Karpenter) node.Metadata().Child("labels")[NodePoolLabel] = group.Name;
        return node;
    }

    private void ScaleDown(DateTime now)
    {
        var pods = Store.List(Kinds.Pod).Where(pod => pod.NodeName() is not null && !pod.IsTerminal()).ToList();
        var nodes = Store.List(Kinds.Node);
        foreach (var state in groups.Values)
        {
            // A node whose accelerators are not published yet is resource-unready: the pods it was added for cannot
            // land there yet, so it is given the (longer) unready time, as cluster-autoscaler does (Karpenter does not
            // consolidate a node before it is initialized).
            var unready = state.Unpublished(Cluster, nodes);
            // The newest nodes go first, so a group shrinks back to the nodes it had.
            foreach (var node in state.Members.OrderByDescending(member => state.Added.IndexOf(member)).ToList())
            {
                var busy = pods.Any(pod => pod.NodeName() == node && !IsDaemonSetPod(pod));
                if (busy || Store.Get(Kinds.Node, null, node) is null) { state.UnneededSince.Remove(node); continue; }
                var since = state.UnneededSince.TryGetValue(node, out var first) ? first : state.UnneededSince[node] = now;
                if (now - since < (unready.Contains(node) ? options.ScaleDownUnreadyTime : options.ScaleDownUnneededTime)) continue;
                if (state.LastScaleUp is { } added && now - added < DelayAfterAdd) continue;
                if (state.Members.Count + state.Provisioning.Count <= state.Group.Count) continue;
                if (!options.Fault.ScalesDown)
                {
                    Once($"node {node} has been unneeded since {since:HH:mm:ss}: kept ({options.Fault.Name})");
                    continue;
                }
                Remove(state, node, pods);
            }
        }
    }

    private TimeSpan DelayAfterAdd => flavour == AutoscalerFlavour.Karpenter ? TimeSpan.Zero : options.ScaleDownDelayAfterAdd;

    /// <summary>Taints the node so nothing new lands there, evicts its DaemonSet pods and deletes it, as the cloud provider's node goes away.</summary>
    private void Remove(GroupState state, string node, IReadOnlyList<JsonObject> pods)
    {
        var taint = flavour == AutoscalerFlavour.Karpenter
            ? new JsonObject { ["key"] = "karpenter.sh/disrupted", ["effect"] = "NoSchedule" }
            : new JsonObject
            {
                ["key"] = "ToBeDeletedByClusterAutoscaler",
                ["value"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["effect"] = "NoSchedule",
            };
        Store.Mutate(Kinds.Node, null, node, n => n.Child("spec").Array("taints").Add(taint));
        // Its pods go first: a DaemonSet pod still running there reports the node's devices until the machine is gone.
        foreach (var pod in pods.Where(pod => pod.NodeName() == node)) Store.Delete(Kinds.Pod, pod.Namespace(), pod.Name());
        Store.Delete(Kinds.Node, null, node);
        Cluster.RemoveNode(node);
        state.Members.Remove(node);
        state.Added.Remove(node);
        state.UnneededSince.Remove(node);
        Cluster.Log.Info(Name, $"scale-down: removed empty node {node} of group {state.Group.Name}");
        if (flavour == AutoscalerFlavour.ClusterAutoscaler && Store.Get(Kinds.ConfigMap, AutoscalerStatus.Namespace, AutoscalerStatus.Name) is { } status)
            Cluster.Events.Record(status, Kinds.ConfigMap, "Normal", "ScaleDownEmpty", $"Scale-down: removing empty node \"{node}\"", Name);
    }

    private void PublishStatus(DateTime now)
    {
        var nodes = Store.List(Kinds.Node);
        var statuses = groups.Values.OrderBy(state => state.Group.Name, StringComparer.Ordinal).Select(state =>
        {
            var registered = state.Members.Count(member => nodes.Any(node => node.Name() == member));
            return new NodeGroupStatus(state.Group.Name, registered, registered - state.Unpublished(Cluster, nodes).Count, state.Provisioning.Count,
                state.Target, state.Group.Count, state.Group.MaxCount!.Value, state.UnneededSince.Count);
        }).ToList();
        var summary = AutoscalerStatus.Summary(statuses);
        if (summary == lastSummary && now - lastStatus < TimeSpan.FromSeconds(10)) return;
        lastSummary = summary;
        lastStatus = now;
        if (flavour == AutoscalerFlavour.Karpenter)
        {
            foreach (var status in statuses)
                Store.Mutate(NodePool, null, status.Name, pool => pool.Child("status")["nodes"] = status.Registered, statusOnly: true);
            return;
        }
        var configMap = AutoscalerStatus.ConfigMap(statuses, now, started);
        if (Store.Get(Kinds.ConfigMap, AutoscalerStatus.Namespace, AutoscalerStatus.Name) is null) Store.Create(Kinds.ConfigMap, configMap);
        else Store.Mutate(Kinds.ConfigMap, AutoscalerStatus.Namespace, AutoscalerStatus.Name, existing =>
        {
            existing.Metadata()["annotations"] = configMap.Metadata()["annotations"]!.DeepClone();
            existing["data"] = configMap["data"]!.DeepClone();
        });
    }

    /// <summary>Karpenter's NodePool for a group: its nodes' labels and taints, its instance type, consolidation when empty.</summary>
    private void PublishNodePool(NodeGroup group)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in group.Labels ?? []) labels[key] = value;
        var taints = new JsonArray();
        foreach (var taint in group.Taints ?? [])
            taints.Add(new JsonObject { ["key"] = taint.Key, ["effect"] = taint.Effect, ["value"] = taint.Value });
        var requirements = new JsonArray(new JsonObject { ["key"] = "kubernetes.io/arch", ["operator"] = "In", ["values"] = new JsonArray(group.Architecture) });
        if (group.Labels?.GetValueOrDefault("node.kubernetes.io/instance-type") is { } instanceType)
            requirements.Add(new JsonObject { ["key"] = "node.kubernetes.io/instance-type", ["operator"] = "In", ["values"] = new JsonArray(instanceType) });
        var spec = new JsonObject
        {
            ["nodeClassRef"] = new JsonObject { ["group"] = "karpenter.k8s.aws", ["kind"] = "EC2NodeClass", ["name"] = "default" },
            ["requirements"] = requirements,
        };
        if (taints.Count > 0) spec["taints"] = taints;
        var consolidateAfter = options.ScaleDownUnneededTime.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + "s";
        NodesBehaviour.CreateIfMissing(Store, NodePool, new JsonObject
        {
            ["apiVersion"] = "karpenter.sh/v1",
            ["kind"] = "NodePool",
            ["metadata"] = new JsonObject { ["name"] = group.Name },
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels }, ["spec"] = spec },
                ["disruption"] = new JsonObject { ["consolidationPolicy"] = "WhenEmpty", ["consolidateAfter"] = consolidateAfter },
                ["limits"] = new JsonObject { ["nodes"] = group.MaxCount!.Value.ToString(CultureInfo.InvariantCulture) },
            },
        });
        Store.Mutate(NodePool, null, group.Name, pool => pool.Child("status")["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Ready", ["status"] = "True", ["reason"] = "Ready", ["message"] = "", ["lastTransitionTime"] = Json.Now(), ["observedGeneration"] = 1,
        }), statusOnly: true);
    }

    /// <summary>The groups' registered nodes carry their NodePool's label, as the nodes Karpenter launches do (baseline ones too).</summary>
    private void LabelWithNodePool()
    {
        foreach (var state in groups.Values)
            foreach (var member in state.Members)
                if (Store.Get(Kinds.Node, null, member) is { } node && node.Label(NodePoolLabel) != state.Group.Name)
                    Store.Mutate(Kinds.Node, null, member, n => n.Metadata().Child("labels")[NodePoolLabel] = state.Group.Name);
    }

    private static bool IsUnschedulable(JsonObject pod) =>
        pod.NodeName() is null && !pod.IsDeleting() && !pod.IsTerminal() &&
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "PodScheduled" && (string?)c["status"] == "False" && (string?)c["reason"] == "Unschedulable");

    private static bool IsDaemonSetPod(JsonObject pod) =>
        (pod["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().Any(owner => (string?)owner["kind"] == "DaemonSet");

    private void Once(string message)
    {
        if (faultLogged.Add(message)) Cluster.Log.Info(Name, message);
    }

    /// <summary>A node group as the autoscaler tracks it: its nodes, those being provisioned, and since when each node is unneeded.</summary>
    private sealed class GroupState(NodeGroup group, HashSet<string> members)
    {
        public NodeGroup Group => group;

        public HashSet<string> Members => members;

        public Dictionary<string, DateTime> Provisioning { get; } = new(StringComparer.Ordinal);

        /// <summary>The nodes this autoscaler added, oldest first.</summary>
        public List<string> Added { get; } = [];

        public Dictionary<string, DateTime> UnneededSince { get; } = new(StringComparer.Ordinal);

        public DateTime? LastScaleUp { get; set; }

        public int Target => Members.Count + Provisioning.Count;

        /// <summary>
        /// Members that cannot take pods yet but will: not registered yet (the scenario's own nodes as the cluster
        /// starts) or registered without their accelerators published; cluster-autoscaler counts such upcoming and
        /// resource-unready nodes as places for pending pods instead of adding nodes for them.
        /// </summary>
        public List<string> Upcoming(SimulatedCluster cluster, IReadOnlyList<JsonObject> nodes) =>
            [.. Members.Where(member => nodes.FirstOrDefault(node => node.Name() == member) is not { } node || !Published(cluster, node))];

        /// <summary>Registered nodes whose accelerators are not published yet (resource-unready for the autoscaler).</summary>
        public List<string> Unpublished(SimulatedCluster cluster, IReadOnlyList<JsonObject> nodes) =>
            [.. Members.Where(member => nodes.FirstOrDefault(node => node.Name() == member) is { } node && !Published(cluster, node))];

        private bool Published(SimulatedCluster cluster, JsonObject node)
        {
            var devices = DeviceInventory.DevicesFor(node.Name(), group);
            if (devices.Count == 0 || cluster.Devices.OnNode(node.Name()).Count == 0) return true;
            var allocatable = node["status"]?["allocatable"] as JsonObject;
            var slices = cluster.Store.List(Kinds.ResourceSlice, null, slice => (string?)slice["spec"]?["nodeName"] == node.Name());
            return devices.Where(d => d.ViaDra).Select(d => d.Driver).Distinct().All(driver => slices.Any(s => (string?)s["spec"]?["driver"] == driver))
                   && devices.Where(d => !d.ViaDra).Select(d => d.Profile.ExtendedResource).Distinct().All(resource => allocatable?[resource] is not null);
        }
    }
}

/// <summary>Which node autoscaler is simulated: cluster-autoscaler (status ConfigMap) or Karpenter (NodePools).</summary>
public enum AutoscalerFlavour
{
    ClusterAutoscaler,
    Karpenter,
}

/// <summary>A node a group would add, as the autoscaler imagines it: the Node and the ResourceSlices its DRA drivers would publish.</summary>
public sealed record NodeTemplate(JsonObject Node, IReadOnlyList<JsonObject> Slices)
{
    public static NodeTemplate Of(NodeGroup group, JsonObject node)
    {
        var devices = DeviceInventory.DevicesFor(node.Name(), group);
        var allocatable = node.Child("status").Child("allocatable");
        foreach (var resource in devices.Where(d => !d.ViaDra).GroupBy(d => d.Profile.ExtendedResource))
            allocatable[resource.Key] = resource.Count().ToString(CultureInfo.InvariantCulture);
        var slices = devices.Where(d => d.ViaDra).GroupBy(d => d.Driver).Select(driver => DraDriverBehaviour.Slice(node, driver.Key, driver)).ToList();
        return new NodeTemplate(node, slices);
    }
}
