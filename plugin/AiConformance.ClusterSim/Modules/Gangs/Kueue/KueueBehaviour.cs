using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// Kueue's job integration and quota admission: a Job labelled with <c>kueue.x-k8s.io/queue-name</c> gets a Workload
/// (one pod set of <c>parallelism</c> pods); the Workload is admitted when its LocalQueue's ClusterQueue has unused
/// nominal quota for the whole pod set in one of its ResourceFlavors (QuotaReserved and Admitted conditions, the
/// admission with the flavor per resource), and then the Job is unsuspended with the flavor's node labels; the
/// default scheduler binds the pods. Devices claimed through ResourceClaimTemplates count as the quota resource their
/// DeviceClass is mapped to (<see cref="KueueDevices"/>). A finished or deleted workload gives its quota back. ClusterQueue and LocalQueue
/// status report reservations, usage and workload counts as Kueue writes them.
/// </summary>
public sealed class KueueBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "kueue";
    private const string PodSetName = "main";

    // Quota of workloads that ended but that a faulty Kueue still counts, by ClusterQueue, flavor and resource.
    private readonly Dictionary<string, WorkloadUsage> leaked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Queue, WorkloadUsage Usage)> admittedSeen = new(StringComparer.Ordinal);

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } =
        [Kinds.Job, KueueKinds.Workload, KueueKinds.ClusterQueue, KueueKinds.LocalQueue, KueueKinds.ResourceFlavor];

    private KueueOptions Options => Cluster.Options<KueueOptions>(ComponentName);

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var options = Options;
        var fault = options.Fault;
        KueueDevices.Publish(Store, options.ResourceOfDeviceClass);
        // The API server refuses a Workload in a namespace being deleted, and the Job goes with it; Kueue's job
        // reconciler retries that Job alone, so it never holds up the other queues.
        foreach (var job in Store.List(Kinds.Job).Where(j => j.Label(KueueKinds.QueueNameLabel) is not null && !j.IsDeleting() && !InDeletedNamespace(j)))
            EnsureWorkload(job);

        var workloads = Store.List(KueueKinds.Workload).OrderBy(w => (string?)w["metadata"]?["creationTimestamp"], StringComparer.Ordinal).ToList();
        foreach (var workload in workloads) FinishWhenJobEnded(workload);
        workloads = Store.List(KueueKinds.Workload).OrderBy(w => (string?)w["metadata"]?["creationTimestamp"], StringComparer.Ordinal).ToList();
        TrackEndedWorkloads(workloads, fault);

        var queues = Store.List(KueueKinds.ClusterQueue).ToDictionary(q => q.Name(), StringComparer.Ordinal);
        var usage = queues.Keys.ToDictionary(name => name, name => UsageOf(name, workloads), StringComparer.Ordinal);
        foreach (var workload in workloads.Where(w => !IsAdmitted(w) && !IsFinished(w)))
            TryAdmit(workload, queues, usage, options);

        foreach (var job in Store.List(Kinds.Job).Where(j => j.Label(KueueKinds.QueueNameLabel) is not null))
            UnsuspendWhenAdmitted(job);

        workloads = [.. Store.List(KueueKinds.Workload)];
        foreach (var queue in queues.Values) WriteClusterQueueStatus(queue, workloads);
        foreach (var local in Store.List(KueueKinds.LocalQueue)) WriteLocalQueueStatus(local, workloads);
        return Task.CompletedTask;
    }

    private bool InDeletedNamespace(JsonObject job) => Store.Get(Kinds.Namespace, null, job.Namespace() ?? "")?.IsDeleting() != false;

    private void EnsureWorkload(JsonObject job)
    {
        if (Store.List(KueueKinds.Workload, job.Namespace()).Any(w => w.ControllerUid() == job.Uid())) return;
        var count = JsonNumber.Int(job["spec"]?["parallelism"]) ?? 1;
        var workload = new JsonObject
        {
            ["apiVersion"] = KueueKinds.Workload.ApiVersion,
            ["kind"] = KueueKinds.Workload.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = $"job-{job.Name()}-{job.Uid()[..5]}",
                ["namespace"] = job.Namespace(),
                ["labels"] = new JsonObject { [KueueKinds.JobUidLabel] = job.Uid() },
                ["ownerReferences"] = new JsonArray(Json.OwnerReference(job)),
            },
            ["spec"] = new JsonObject
            {
                ["active"] = true,
                ["queueName"] = job.Label(KueueKinds.QueueNameLabel),
                ["podSets"] = new JsonArray(new JsonObject
                {
                    ["name"] = PodSetName,
                    ["count"] = count,
                    ["template"] = job["spec"]?["template"]?.DeepClone(),
                }),
            },
        };
        Store.Create(KueueKinds.Workload, workload);
        Cluster.Log.Info(Name, $"created Workload {job.Namespace()}/{workload.Name()} for Job {job.Name()} ({count} pods)");
    }

    private void FinishWhenJobEnded(JsonObject workload)
    {
        if (IsFinished(workload)) return;
        var job = Store.List(Kinds.Job, workload.Namespace()).FirstOrDefault(j => j.Uid() == workload.ControllerUid());
        var ended = (job?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["type"] is "Complete" or "Failed" && (string?)c["status"] == "True");
        if (ended is null) return;
        var succeeded = (string?)ended["type"] == "Complete";
        Store.Mutate(KueueKinds.Workload, workload.Namespace(), workload.Name(), w => PodFacts.SetCondition(w.Child("status"), "Finished", "True",
            succeeded ? "Succeeded" : "Failed", succeeded ? "Job finished successfully" : (string?)ended["message"] ?? "Job failed", probeTime: false), statusOnly: true);
    }

    /// <summary>Remembers admitted workloads; one that ended or went away has its quota kept only by a faulty Kueue.</summary>
    private void TrackEndedWorkloads(IReadOnlyList<JsonObject> workloads, KueueFault fault)
    {
        var counted = workloads.Where(w => IsAdmitted(w) && !IsFinished(w)).ToDictionary(w => w.Uid(), StringComparer.Ordinal);
        foreach (var (uid, (queue, usage)) in admittedSeen.Where(entry => !counted.ContainsKey(entry.Key)).ToList())
        {
            admittedSeen.Remove(uid);
            if (fault.ReleasesQuota) continue;
            leaked[queue] = leaked.TryGetValue(queue, out var kept) ? kept.Plus(usage) : usage;
        }
        foreach (var (uid, workload) in counted)
            admittedSeen[uid] = ((string?)workload["status"]?["admission"]?["clusterQueue"] ?? "", WorkloadUsage.Of(workload));
    }

    private WorkloadUsage UsageOf(string queue, IReadOnlyList<JsonObject> workloads)
    {
        var usage = workloads.Where(w => IsAdmitted(w) && !IsFinished(w) && (string?)w["status"]?["admission"]?["clusterQueue"] == queue)
            .Aggregate(WorkloadUsage.Empty, (total, w) => total.Plus(WorkloadUsage.Of(w)));
        return leaked.TryGetValue(queue, out var kept) ? usage.Plus(kept) : usage;
    }

    private void TryAdmit(JsonObject workload, Dictionary<string, JsonObject> queues, Dictionary<string, WorkloadUsage> usage, KueueOptions options)
    {
        var queueName = (string?)workload["spec"]?["queueName"] ?? "";
        var local = Store.Get(KueueKinds.LocalQueue, workload.Namespace(), queueName);
        if (local is null)
        {
            Pending(workload, "Inadmissible", $"LocalQueue {queueName} doesn't exist");
            return;
        }
        var queueOf = (string?)local["spec"]?["clusterQueue"] ?? "";
        if (!queues.TryGetValue(queueOf, out var queue))
        {
            Pending(workload, "Inadmissible", $"ClusterQueue {queueOf} doesn't exist");
            return;
        }
        var podSet = (workload["spec"]?["podSets"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault();
        var count = JsonNumber.Int(podSet?["count"]) ?? 1;
        var perPod = ResourceMath.Requests(new JsonObject { ["spec"] = podSet?["template"]?["spec"]?.DeepClone() })
            .Where(r => r.Value > 0).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        foreach (var (resource, devices) in KueueDevices.PerPod(Store, workload.Namespace(), podSet?["template"]?["spec"], options.ResourceOfDeviceClass))
            perPod[resource] = perPod.GetValueOrDefault(resource) + devices;
        var choice = FlavorAssignment.Choose(queue, perPod, count, usage[queueOf]);
        var admitted = options.Fault.Admitted(count, choice.Fitting);
        if (admitted == 0 || choice.Flavors is null)
        {
            Pending(workload, "Pending", $"couldn't assign flavors to pod set {PodSetName}: {choice.Refusal ?? "insufficient unused quota"}");
            return;
        }
        var resourceUsage = new JsonObject();
        var flavors = new JsonObject();
        foreach (var (resource, flavor) in choice.Flavors)
        {
            flavors[resource] = flavor;
            resourceUsage[resource] = ResourceMath.Format(perPod[resource] * admitted);
        }
        Store.Mutate(KueueKinds.Workload, workload.Namespace(), workload.Name(), w =>
        {
            var status = w.Child("status");
            status["admission"] = new JsonObject
            {
                ["clusterQueue"] = queueOf,
                ["podSetAssignments"] = new JsonArray(new JsonObject
                {
                    ["name"] = PodSetName, ["flavors"] = flavors, ["resourceUsage"] = resourceUsage, ["count"] = admitted,
                }),
            };
            PodFacts.SetCondition(status, "QuotaReserved", "True", "QuotaReserved", $"Quota reserved in ClusterQueue {queueOf}", probeTime: false);
            PodFacts.SetCondition(status, "Admitted", "True", "Admitted", "The workload is admitted", probeTime: false);
        }, statusOnly: true);
        usage[queueOf] = usage[queueOf].Plus(WorkloadUsage.From(choice.Flavors, perPod, admitted));
        Cluster.Log.Info(Name, $"admitted Workload {workload.Namespace()}/{workload.Name()} in ClusterQueue {queueOf} ({admitted} of {count} pods)");
    }

    private void Pending(JsonObject workload, string reason, string message) =>
        Store.Mutate(KueueKinds.Workload, workload.Namespace(), workload.Name(),
            w => PodFacts.SetCondition(w.Child("status"), "QuotaReserved", "False", reason, message, probeTime: false), statusOnly: true);

    /// <summary>Kueue's job reconciler: an admitted Job runs with the admitted count and the flavors' node labels.</summary>
    private void UnsuspendWhenAdmitted(JsonObject job)
    {
        if ((bool?)job["spec"]?["suspend"] != true) return;
        var workload = Store.List(KueueKinds.Workload, job.Namespace()).FirstOrDefault(w => w.ControllerUid() == job.Uid());
        if (workload is null || !IsAdmitted(workload) || IsFinished(workload)) return;
        var assignment = (workload["status"]?["admission"]?["podSetAssignments"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault();
        var count = JsonNumber.Int(assignment?["count"]);
        var nodeLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flavorName in (assignment?["flavors"] as JsonObject ?? []).Select(f => (string?)f.Value).OfType<string>().Distinct())
            foreach (var (key, value) in Store.Get(KueueKinds.ResourceFlavor, null, flavorName)?["spec"]?["nodeLabels"] as JsonObject ?? [])
                nodeLabels[key] = (string?)value ?? "";
        Store.Mutate(Kinds.Job, job.Namespace(), job.Name(), j =>
        {
            var spec = j.Child("spec");
            spec["suspend"] = false;
            if (count is { } admitted) spec["parallelism"] = admitted;
            if (nodeLabels.Count == 0) return;
            var selector = j.Child("spec").Child("template").Child("spec").Child("nodeSelector");
            foreach (var (key, value) in nodeLabels) selector[key] = value;
        });
        Cluster.Log.Info(Name, $"unsuspended Job {job.Namespace()}/{job.Name()}");
    }

    private void WriteClusterQueueStatus(JsonObject queue, IReadOnlyList<JsonObject> workloads)
    {
        var mine = workloads.Where(w => QueueOf(w) == queue.Name()).ToList();
        var usage = UsageOf(queue.Name(), workloads);
        var pending = workloads.Count(w => !IsAdmitted(w) && !IsFinished(w) && ClusterQueueOfLocal(w) == queue.Name());
        WriteStatus(KueueKinds.ClusterQueue, queue, mine, usage, pending, "Can admit new workloads");
    }

    private void WriteLocalQueueStatus(JsonObject local, IReadOnlyList<JsonObject> workloads)
    {
        var mine = workloads.Where(w => w.Namespace() == local.Namespace() && (string?)w["spec"]?["queueName"] == local.Name()).ToList();
        var counted = mine.Where(w => IsAdmitted(w) && !IsFinished(w)).Aggregate(WorkloadUsage.Empty, (total, w) => total.Plus(WorkloadUsage.Of(w)));
        var pending = mine.Count(w => !IsAdmitted(w) && !IsFinished(w));
        var queue = Store.Get(KueueKinds.ClusterQueue, null, (string?)local["spec"]?["clusterQueue"] ?? "");
        var usage = queue is null ? counted : counted.Plus(leaked.GetValueOrDefault(queue.Name()) ?? WorkloadUsage.Empty);
        WriteStatus(KueueKinds.LocalQueue, local, [.. mine.Where(w => IsAdmitted(w))], usage, pending,
            queue is null ? null : "Can submit new workloads to localQueue");
    }

    private void WriteStatus(ResourceKind kind, JsonObject queue, IReadOnlyList<JsonObject> admittedHere, WorkloadUsage usage, int pending, string? activeMessage)
    {
        var flavors = (kind == KueueKinds.ClusterQueue ? FlavorAssignment.FlavorsOf(queue) : usage.Flavors).ToList();
        var totals = usage.ToStatus(flavors, withBorrowed: kind == KueueKinds.ClusterQueue);
        var reserving = admittedHere.Count(w => IsAdmitted(w) && !IsFinished(w));
        var current = queue["status"] as JsonObject;
        if (current is not null && JsonNode.DeepEquals(current["flavorsReservation"], totals) && JsonNode.DeepEquals(current["flavorsUsage"], totals)
            && JsonNumber.Int(current["reservingWorkloads"]) == reserving && JsonNumber.Int(current["pendingWorkloads"]) == pending
            && (current["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == "Active" && (string?)c["status"] == (activeMessage is null ? "False" : "True")))
            return;
        Store.Mutate(kind, queue.Namespace(), queue.Name(), q =>
        {
            var status = q.Child("status");
            status["flavorsReservation"] = totals.DeepClone();
            status["flavorsUsage"] = totals.DeepClone();
            status["reservingWorkloads"] = reserving;
            status["admittedWorkloads"] = reserving;
            status["pendingWorkloads"] = pending;
            if (activeMessage is null) PodFacts.SetCondition(status, "Active", "False", "ClusterQueueDoesNotExist", "Can't submit new workloads to clusterQueue", probeTime: false);
            else PodFacts.SetCondition(status, "Active", "True", "Ready", activeMessage, probeTime: false);
        }, statusOnly: true);
    }

    private string? ClusterQueueOfLocal(JsonObject workload) =>
        (string?)Store.Get(KueueKinds.LocalQueue, workload.Namespace(), (string?)workload["spec"]?["queueName"] ?? "")?["spec"]?["clusterQueue"];

    private static string? QueueOf(JsonObject workload) => (string?)workload["status"]?["admission"]?["clusterQueue"];

    private static bool IsAdmitted(JsonObject workload) => HasCondition(workload, "QuotaReserved") && workload["status"]?["admission"] is JsonObject;

    private static bool IsFinished(JsonObject workload) => HasCondition(workload, "Finished");

    private static bool HasCondition(JsonObject workload, string type) =>
        (workload["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == type && (string?)c["status"] == "True");
}
