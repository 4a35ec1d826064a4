using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours.Dra;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// The default scheduler: for each pending pod it filters nodes (unschedulable, taints and tolerations, nodeSelector
/// and required node affinity, resource requests incl. extended resources, DRA claims) and binds the pod to the first
/// fitting node, allocating its unallocated ResourceClaims there and reserving them for it. A pod that fits nowhere
/// gets PodScheduled=False/Unschedulable and a FailedScheduling event worded as kube-scheduler words it.
/// </summary>
public sealed class SchedulerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "scheduler";
    public const string SchedulerName = "default-scheduler";
    public const string DeleteProtectionFinalizer = "resource.kubernetes.io/delete-protection";

    private readonly DeviceAllocator allocator = new();
    private readonly Dictionary<string, DateTime> firstSeen = new(StringComparer.Ordinal);

    public override string Name => ComponentName;

    protected override bool IsController => false;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } =
        [Kinds.Pod, Kinds.Node, Kinds.ResourceClaim, Kinds.ResourceSlice, Kinds.DeviceClass];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var pods = Store.List(Kinds.Pod);
        var pending = pods.Where(IsOurs)
            .OrderBy(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal).ToList();
        if (pending.Count == 0) return Task.CompletedTask;
        var nodes = Store.List(Kinds.Node).OrderBy(n => n.Name(), StringComparer.Ordinal).ToList();
        var state = new ClusterState(pods, Store.List(Kinds.ResourceClaim), Store.List(Kinds.ResourceSlice),
            Store.List(Kinds.DeviceClass).ToDictionary(c => c.Name(), StringComparer.Ordinal));
        foreach (var pod in pending)
        {
            if (!LatencyElapsed(pod)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            Schedule(pod, nodes, state);
        }
        foreach (var uid in firstSeen.Keys.Except(pending.Select(p => p.Uid())).ToList()) firstSeen.Remove(uid);
        return Task.CompletedTask;
    }

    private static bool IsOurs(JsonObject pod) =>
        pod.NodeName() is null && !pod.IsDeleting() && !pod.IsTerminal()
        && ((string?)pod["spec"]?["schedulerName"] ?? SchedulerName) == SchedulerName
        && (pod["spec"]?["schedulingGates"] as JsonArray ?? []).Count == 0;

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

    private void Schedule(JsonObject pod, List<JsonObject> nodes, ClusterState state)
    {
        var claims = new List<JsonObject>();
        foreach (var (podClaim, claimName) in pod.ClaimNames())
        {
            var claim = claimName is null ? null : state.Claims.FirstOrDefault(c => c.Namespace() == pod.Namespace() && c.Name() == claimName);
            // A template's claim not yet created: the pod waits in the queue (PreEnqueue), without a condition.
            if (claimName is null) return;
            if (claim is null)
            {
                MarkUnschedulable(pod, $"0/{nodes.Count} nodes are available: resourceclaim \"{claimName}\" not found.", recordEvent: true);
                return;
            }
            claims.Add(claim);
        }

        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var (reason, allocations) = Fit(pod, node, claims, state);
            if (reason is not null)
            {
                if (reason.StartsWith("REFUSED:", StringComparison.Ordinal))
                {
                    RefuseClaim(pod, reason["REFUSED:".Length..], nodes.Count);
                    return;
                }
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                continue;
            }
            Bind(pod, node, claims, allocations!, state);
            return;
        }
        MarkUnschedulable(pod, FailedSchedulingMessage(nodes.Count, reasons, claims.Count > 0), recordEvent: true);
    }

    /// <summary>null when the pod fits the node; else the reason as kube-scheduler's filter plugins word it.</summary>
    private (string? Reason, Dictionary<string, ClaimAllocation>? Allocations) Fit(JsonObject pod, JsonObject node, List<JsonObject> claims, ClusterState state)
    {
        if ((bool?)node["spec"]?["unschedulable"] == true) return ("node(s) were unschedulable", null);
        if (!NodeIsReady(node)) return ("node(s) had untolerated taint {node.kubernetes.io/not-ready: }", null);
        if (UntoleratedTaint(pod, node) is { } taint) return ($"node(s) had untolerated taint {{{taint}}}", null);
        if (!NodeAffinity.Matches(pod, node)) return ("node(s) didn't match Pod's node affinity/selector", null);
        if (InsufficientResources(pod, node, state) is { } insufficient) return (insufficient, null);

        var allocations = new Dictionary<string, ClaimAllocation>(StringComparer.Ordinal);
        var inUse = new HashSet<(string, string, string)>(state.InUse);
        foreach (var claim in claims)
        {
            if (claim["status"]?["allocation"] is JsonObject allocation)
            {
                if (!AllocatedToNode(allocation, node.Name())) return ("resourceclaim not available on the node", null);
                continue;
            }
            var outcome = allocator.Allocate(claim, node.Name(), state.Devices,
                Accelerators.AllocationFaults.ReusesAllocatedDevices(Cluster, Name, claim) ? new HashSet<(string, string, string)>() : inUse, state.DeviceClasses);
            if (outcome.Refusal is not null) return ("REFUSED:" + outcome.Refusal, null);
            if (!outcome.Succeeded) return ("cannot allocate all claims", null);
            foreach (var result in outcome.Results) inUse.Add((result.Driver, result.Pool, result.Device));
            allocations[claim.Name()] = outcome;
        }
        return (null, allocations);
    }

    private static bool NodeIsReady(JsonObject node) =>
        (node["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True");

    private static string? UntoleratedTaint(JsonObject pod, JsonObject node)
    {
        var tolerations = (pod["spec"]?["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var taint in (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var effect = (string?)taint["effect"];
            if (effect is not ("NoSchedule" or "NoExecute")) continue;
            var key = (string?)taint["key"] ?? "";
            var value = (string?)taint["value"] ?? "";
            var tolerated = tolerations.Any(t =>
            {
                var tEffect = (string?)t["effect"];
                if (!string.IsNullOrEmpty(tEffect) && tEffect != effect) return false;
                var tKey = (string?)t["key"] ?? "";
                if ((string?)t["operator"] == "Exists") return tKey.Length == 0 || tKey == key;
                return tKey == key && ((string?)t["value"] ?? "") == value;
            });
            if (!tolerated) return $"{key}: {value}";
        }
        return null;
    }

    private static string? InsufficientResources(JsonObject pod, JsonObject node, ClusterState state)
    {
        var allocatable = node["status"]?["allocatable"] as JsonObject ?? [];
        var requests = ResourceMath.Requests(pod);
        var used = state.RequestedOn(node.Name());
        var missing = new List<string>();
        if (used.GetValueOrDefault("pods") + 1 > ResourceMath.Parse(allocatable["pods"] ?? "110")) return "Too many pods";
        foreach (var (resource, amount) in requests.Where(r => r.Value > 0).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var available = allocatable[resource] is { } a ? ResourceMath.Parse(a) : 0;
            if (used.GetValueOrDefault(resource) + amount > available) missing.Add($"Insufficient {resource}");
        }
        return missing.Count == 0 ? null : string.Join(", ", missing);
    }

    private static bool AllocatedToNode(JsonObject allocation, string node)
    {
        var terms = allocation["nodeSelector"]?["nodeSelectorTerms"] as JsonArray;
        if (terms is null) return true;
        return terms.OfType<JsonObject>().Any(term =>
            (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>().All(f =>
                (string?)f["key"] == "metadata.name" && (f["values"] as JsonArray ?? []).Any(v => (string?)v == node)));
    }

    private void Bind(JsonObject pod, JsonObject node, List<JsonObject> claims, Dictionary<string, ClaimAllocation> allocations, ClusterState state)
    {
        var reference = new JsonObject { ["resource"] = "pods", ["name"] = pod.Name(), ["uid"] = pod.Uid() };
        foreach (var claim in claims)
        {
            allocations.TryGetValue(claim.Name(), out var allocation);
            var updated = Store.Mutate(Kinds.ResourceClaim, claim.Namespace(), claim.Name(), c =>
            {
                var status = c.Child("status");
                if (allocation is not null) status["allocation"] = AllocationJson(allocation, node.Name());
                var reserved = status.Array("reservedFor");
                if (!reserved.OfType<JsonObject>().Any(r => (string?)r["uid"] == pod.Uid())) reserved.Add(reference.DeepClone());
            }, statusOnly: true);
            Store.Mutate(Kinds.ResourceClaim, claim.Namespace(), claim.Name(), c =>
            {
                var finalizers = c.Metadata().Array("finalizers");
                if (!finalizers.Any(f => (string?)f == DeleteProtectionFinalizer)) finalizers.Add(DeleteProtectionFinalizer);
            });
            if (updated is not null) state.Update(updated);
        }
        // As pods/binding does: the node name, then the PodScheduled condition.
        if (Store.Mutate(Kinds.Pod, pod.Namespace(), pod.Name(), p => p.Child("spec")["nodeName"] = node.Name()) is null) return;
        var bound = Store.Mutate(Kinds.Pod, pod.Namespace(), pod.Name(), p =>
        {
            PodFacts.SetCondition(p.Child("status"), "PodScheduled", "True");
            p.Child("status")["phase"] ??= "Pending";
        }, statusOnly: true);
        if (bound is null) return;
        state.Bind(bound);
        Cluster.Events.Record(bound, Kinds.Pod, "Normal", "Scheduled",
            $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node.Name()}", SchedulerName);
        Cluster.Log.Info(Name, $"bound {pod.Namespace()}/{pod.Name()} to {node.Name()}");
    }

    private static JsonObject AllocationJson(ClaimAllocation allocation, string node)
    {
        var results = new JsonArray();
        foreach (var r in allocation.Results)
            results.Add(new JsonObject { ["request"] = r.Request, ["driver"] = r.Driver, ["pool"] = r.Pool, ["device"] = r.Device });
        return new JsonObject
        {
            ["devices"] = new JsonObject { ["results"] = results },
            ["nodeSelector"] = new JsonObject
            {
                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                {
                    ["matchFields"] = new JsonArray(new JsonObject
                    {
                        ["key"] = "metadata.name", ["operator"] = "In", ["values"] = new JsonArray(node),
                    }),
                }),
            },
            ["allocationTimestamp"] = Json.Now(),
        };
    }

    private void MarkUnschedulable(JsonObject pod, string message, bool recordEvent)
    {
        var current = (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["type"] == "PodScheduled");
        if (current is not null && (string?)current["message"] == message && (string?)current["status"] == "False") return;
        var updated = Store.Mutate(Kinds.Pod, pod.Namespace(), pod.Name(), p =>
        {
            var status = p.Child("status");
            status["phase"] = "Pending";
            PodFacts.SetCondition(status, "PodScheduled", "False", "Unschedulable", message);
        }, statusOnly: true);
        if (recordEvent && updated is not null)
            Cluster.Events.Record(updated, Kinds.Pod, "Warning", "FailedScheduling", message, SchedulerName);
    }

    /// <summary>A claim that uses CEL outside the simulated subset: said loudly in the pod's condition and event and in the simulation log.</summary>
    private void RefuseClaim(JsonObject pod, string refusal, int nodeCount)
    {
        Cluster.Log.Warn(Name, $"pod {pod.Namespace()}/{pod.Name()}: {refusal}");
        MarkUnschedulable(pod, $"0/{nodeCount} nodes are available: {refusal}", recordEvent: true);
    }

    /// <summary>kube-scheduler's FitError text: counts per reason, sorted, then the preemption post-filter's verdict.</summary>
    public static string FailedSchedulingMessage(int nodeCount, IReadOnlyDictionary<string, int> reasons, bool hasClaims)
    {
        var parts = reasons.SelectMany(r => r.Key.Split(", ").Select(reason => (reason, r.Value)))
            .GroupBy(p => p.reason).Select(g => $"{g.Sum(p => p.Value)} {g.Key}").Order(StringComparer.Ordinal);
        var claims = hasClaims ? "no new claims to deallocate, " : "";
        return $"0/{nodeCount} nodes are available: {string.Join(", ", parts)}. {claims}preemption: 0/{nodeCount} nodes are available: " +
               $"{nodeCount} Preemption is not helpful for scheduling.";
    }

    /// <summary>What the scheduler knows during one pass, kept current as it binds pods and allocates claims.</summary>
    private sealed class ClusterState
    {
        private readonly List<JsonObject> boundPods;

        public ClusterState(IReadOnlyList<JsonObject> pods, IReadOnlyList<JsonObject> claims, IReadOnlyList<JsonObject> slices,
            Dictionary<string, JsonObject> deviceClasses)
        {
            boundPods = pods.Where(p => p.NodeName() is not null && !p.IsTerminal()).ToList();
            Claims = claims.ToList();
            Devices = DeviceAllocator.DevicesOf(slices);
            DeviceClasses = deviceClasses;
            InUse = [];
            foreach (var claim in Claims) AddInUse(claim);
        }

        public List<JsonObject> Claims { get; }
        public IReadOnlyList<PublishedDevice> Devices { get; }
        public Dictionary<string, JsonObject> DeviceClasses { get; }
        public HashSet<(string, string, string)> InUse { get; }

        public Dictionary<string, decimal> RequestedOn(string node)
        {
            var total = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var pod in boundPods.Where(p => p.NodeName() == node))
            {
                foreach (var (resource, amount) in ResourceMath.Requests(pod)) total[resource] = total.GetValueOrDefault(resource) + amount;
                total["pods"] = total.GetValueOrDefault("pods") + 1;
            }
            return total;
        }

        public void Bind(JsonObject pod) => boundPods.Add(pod);

        public void Update(JsonObject claim)
        {
            Claims.RemoveAll(c => c.Uid() == claim.Uid());
            Claims.Add(claim);
            AddInUse(claim);
        }

        private void AddInUse(JsonObject claim)
        {
            foreach (var result in (claim["status"]?["allocation"]?["devices"]?["results"] as JsonArray ?? []).OfType<JsonObject>())
                InUse.Add(((string?)result["driver"] ?? "", (string?)result["pool"] ?? "", (string?)result["device"] ?? ""));
        }
    }
}
