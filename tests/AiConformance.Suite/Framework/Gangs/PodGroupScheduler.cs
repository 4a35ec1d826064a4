using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// What differs between the schedulers that place pods by PodGroup: where the PodGroup is served, the scheduler's
/// name, how a pod joins a group, what the PodGroup says when the group does not fit, and the capacity a test owns.
/// </summary>
public abstract class PodGroupScheduler(ApiKind podGroup, string schedulerName)
{
    public ApiKind PodGroup { get; } = podGroup;

    public string SchedulerName { get; } = schedulerName;

    /// <summary>The capacity a test owns on this scheduler.</summary>
    public abstract IGangCapacity Capacity(TestNamespace ns);

    /// <summary>Creates what a group's PodGroup refers to, before it (the native Workload API's Workload); nothing by default.</summary>
    public virtual Task DeclareAsync(TestNamespace ns, string group, int members) => Task.CompletedTask;

    /// <summary>The spec of the PodGroup <paramref name="group"/> of <paramref name="members"/> that runs only whole.</summary>
    public abstract JsonObject PodGroupSpec(string group, int members, IGangCapacity capacity);

    /// <summary>Marks <paramref name="pod"/> as a member of <paramref name="group"/> (label or annotation, queue).</summary>
    public abstract void Join(V1Pod pod, string group, IGangCapacity capacity);

    /// <summary>What the PodGroup calls the number of members that must be placed at once, for the evidence.</summary>
    public virtual string GangSizeField => "minMember";

    /// <summary>Whether the scheduler's verdict on a group it cannot place is on the PodGroup (else on its members).</summary>
    public virtual bool VerdictOnPodGroup => true;

    /// <summary>Whether the PodGroup's status says the scheduler looked at the group and could not place it.</summary>
    public abstract bool SaysUnschedulable(CustomObject podGroup);

    /// <summary>The PodGroup's status in one line.</summary>
    public abstract string Describe(CustomObject? podGroup);

    protected static string Conditions(JsonNode? conditions) =>
        string.Join(", ", (conditions as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => $"{c["type"]}={c["status"]} {c["reason"]}: {c["message"]}"));

    protected static void Annotate(V1Pod pod, string key, string value) => (pod.Metadata.Annotations ??= new Dictionary<string, string>())[key] = value;
}

/// <summary>A PodGroup scheduler with queues: the test owns a queue whose CPU limit holds exactly its members.</summary>
public abstract class QueuedPodGroupScheduler(ApiKind podGroup, string schedulerName, ApiKind queue) : PodGroupScheduler(podGroup, schedulerName)
{
    public ApiKind Queue { get; } = queue;

    public override IGangCapacity Capacity(TestNamespace ns) => new QueueCapacity(ns, this);

    /// <summary>The queues to create, parents first, the last one named <paramref name="name"/> holding <paramref name="milliCpu"/>.</summary>
    public abstract IReadOnlyList<CustomObject> QueuesFor(string name, int milliCpu);

    /// <summary>Whether groups can be submitted to the queue.</summary>
    public abstract bool IsOpen(CustomObject queue);

    /// <summary>What the queue's status counts as allocated, by resource (and groups counted).</summary>
    public abstract IReadOnlyDictionary<string, decimal> QueueUsage(CustomObject queue);

    public string DescribeQueue(CustomObject queue) =>
        $"{queue.Kind} {queue.Metadata.Name}: {(IsOpen(queue) ? "open" : "not open")}; " +
        string.Join(", ", QueueUsage(queue).Select(usage => $"{usage.Key}={usage.Value}"));

    /// <summary>The quantities of a resource list (<c>status.allocated</c>), as numbers.</summary>
    protected static Dictionary<string, decimal> Quantities(JsonNode? list, string prefix) =>
        (list as JsonObject ?? []).ToDictionary(entry => $"{prefix}{entry.Key}",
            entry => new ResourceQuantity(entry.Value?.ToString() ?? "0").ToDecimal(), StringComparer.Ordinal);
}
