using k8s;
using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Gangs through Kueue: a test-owned ResourceFlavor, ClusterQueue (quota for exactly the members the test allows,
/// open only to the test's namespace) and LocalQueue; a group is a suspended Job of N pods labelled with the
/// LocalQueue, which Kueue admits as one Workload and unsuspends. Where Kueue counts the cluster's accelerator (a
/// device plugin's extended resource, or DRA devices its Configuration maps to a quota resource) and enough units are
/// free, each member holds one unit and the quota has exactly N units; the CPU quota is exact too, so a Kueue that
/// does not count the devices after all still decides by CPU. One class serves every served version.
/// </summary>
public sealed class KueueGang(TestNamespace ns, KueueKinds kinds) : IGangDriver
{
    private const string QueueNameLabel = "kueue.x-k8s.io/queue-name";
    private GangAccelerator? accelerator;
    private string? whyCpu;

    private string QueueName => ns.Name;
    private ClusterObjects<CustomObject> ClusterQueues => ns.ClusterScoped<CustomObject>(kinds.ClusterQueue);
    private ClusterObjects<CustomObject> Workloads => ns.Objects<CustomObject>(kinds.Workload);

    public string CapacityKind => accelerator is not null
        ? $"accelerator quota of the test-owned ClusterQueue {QueueName}: {accelerator.Describe()} (and {GangMembers.MemberCpu} CPU per member)"
        : $"CPU quota ({GangMembers.MemberCpu} per member) of the test-owned ClusterQueue {QueueName}{(whyCpu is null ? "" : $"; no accelerators: {whyCpu}")}";

    public async Task ProvideCapacityAsync(int members)
    {
        (accelerator, whyCpu) = await GangAccelerator.ChooseAsync(ns, members, QuotaResourceAsync);
        var quota = GangMembers.CpuFor(members);
        var resources = new JsonArray(Quota("cpu", quota));
        if (accelerator is not null) resources.Add(Quota(accelerator.QuotaResource!, $"{members}"));
        Evidence.Step($"Create ResourceFlavor, ClusterQueue and LocalQueue `{QueueName}`: CPU quota {quota}" +
                      $"{(accelerator is null ? "" : $" and {members} of {accelerator.QuotaResource}")}, room for exactly {members} members");
        await ns.CreateClusterScopedAsync(CustomObject.Named(QueueName, []), kinds.ResourceFlavor);
        await ns.CreateClusterScopedAsync(CustomObject.Named(QueueName, new JsonObject
        {
            ["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns.Name } },
            ["resourceGroups"] = new JsonArray(new JsonObject
            {
                ["coveredResources"] = new JsonArray([.. resources.Select(resource => (JsonNode?)JsonValue.Create((string?)resource!["name"]))]),
                ["flavors"] = new JsonArray(new JsonObject { ["name"] = QueueName, ["resources"] = resources }),
            }),
        }), kinds.ClusterQueue);
        if (accelerator is not null) await accelerator.PrepareAsync();
        await ns.CreateAsync(CustomObject.Named(QueueName, new JsonObject { ["clusterQueue"] = QueueName }), kinds.LocalQueue);
        var active = await Wait.For(ClusterQueues.Watchable(QueueName))
            .Until($"ClusterQueue {QueueName} to be Active", seen => seen.Any(queue => queue.Condition("Active") == "True"))
            .DescribedBy(seen => string.Join("; ", seen.Select(queue => queue.DescribeCondition("Active"))))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed("ClusterQueue", active.Single().DescribeCondition("Active"));
    }

    public async Task SubmitAsync(string name, int members)
    {
        Evidence.Step($"Submit group `{name}`: a suspended Job of {members} pods in LocalQueue {QueueName}, each requesting {GangMembers.MemberCpu} CPU" +
                      (accelerator is null ? "" : $" and one unit of {accelerator.QuotaResource}"));
        await ns.CreateAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [QueueNameLabel] = QueueName } },
            Spec = new V1JobSpec
            {
                Suspend = true,
                Parallelism = members,
                Completions = members,
                BackoffLimit = 0,
                Template = GangMembers.Template(ns, name, accelerator: accelerator),
            },
        });
    }

    public async Task WaitAdmittedAsync(string name)
    {
        var seen = await Wait.For(Workloads.Watchable())
            .Until($"the Workload of group {name} to be admitted", workloads => Of(workloads, name)?.Condition("Admitted") == "True")
            .DescribedBy(workloads => Describe(Of(workloads, name)))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed($"Workload of {name}", Describe(Of(seen, name)));
    }

    public async Task WaitDecidedAsync(string name)
    {
        var seen = await Wait.For(Workloads.Watchable())
            .Until($"Kueue to decide on the Workload of group {name}", workloads => Of(workloads, name)?.Condition("QuotaReserved") is not null)
            .DescribedBy(workloads => Describe(Of(workloads, name)))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed($"Workload of {name}", Describe(Of(seen, name)));
    }

    public GangAccelerator? Accelerator => accelerator;

    public async Task RemoveAsync(string name)
    {
        if (accelerator is not null) accelerator.Account((await ns.Objects<V1Pod>().ListAsync($"{GangMembers.GroupLabel}={name}", null, ns.Cancellation)).Items);
        await ns.Objects<V1Job>().DeleteAsync(name, ns.Cancellation);
    }

    public async Task<(bool InUse, string Described)> UsageAsync()
    {
        var queue = await ClusterQueues.GetAsync(QueueName, ns.Cancellation);
        return (queue is not null && InUse(queue), DescribeUsage(queue));
    }

    public async Task WaitReleasedAsync()
    {
        var queues = await Wait.For(ClusterQueues.Watchable(QueueName))
            .Until($"ClusterQueue {QueueName} to have no quota reserved or used and no workload counted", seen => seen.Count == 1 && !InUse(seen[0]))
            .DescribedBy(seen => DescribeUsage(seen.FirstOrDefault()))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        var locals = await Wait.For(ns.Objects<CustomObject>(kinds.LocalQueue).Watchable(QueueName))
            .Until($"LocalQueue {QueueName} to have no quota reserved or used and no workload counted", seen => seen.Count == 1 && !InUse(seen[0]))
            .DescribedBy(seen => DescribeUsage(seen.FirstOrDefault()))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed("ClusterQueue after the group", DescribeUsage(queues.Single()));
        Evidence.Observed("LocalQueue after the group", DescribeUsage(locals.Single()));
        if (accelerator is not null) await accelerator.WaitReleasedAsync();
    }

    public Task<string?> CapacityMovedAsync() => accelerator?.MovedAsync() ?? Task.FromResult<string?>(null);

    /// <summary>
    /// The quota resource Kueue counts the accelerator's units as: a device plugin's extended resource as it is; DRA
    /// devices only as the name Kueue's Configuration (<c>resources.deviceClassMappings</c>, in a ConfigMap) maps
    /// their DeviceClass to.
    /// </summary>
    private async Task<(string? Resource, string? Why)> QuotaResourceAsync(DetectedAccelerator found)
    {
        if (found.Path != AcceleratorPath.Dra) return (found.ExtendedResource, null);
        var maps = await ns.Kubernetes.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: ns.Cancellation);
        foreach (var map in maps.Items)
            foreach (var (key, text) in map.Data ?? new Dictionary<string, string>())
                if (KueueConfiguration.ResourceOf(text, found.DeviceClass!) is { } resource)
                {
                    Evidence.Observed("Kueue counts DRA devices", $"DeviceClass {found.DeviceClass} as `{resource}` (ConfigMap {map.Metadata.NamespaceProperty}/{map.Metadata.Name} key {key})");
                    return (resource, null);
                }
        return (null, $"no Kueue Configuration in a ConfigMap maps DeviceClass {found.DeviceClass} to a quota resource (resources.deviceClassMappings), " +
                      "so Kueue's quota cannot count its devices");
    }

    private static JsonObject Quota(string resource, string amount) => new() { ["name"] = resource, ["nominalQuota"] = amount };

    private static CustomObject? Of(IEnumerable<CustomObject> workloads, string job) =>
        workloads.FirstOrDefault(workload => workload.Metadata.OwnerReferences?.Any(owner => owner.Kind == "Job" && owner.Name == job) == true);

    private static string Describe(CustomObject? workload)
    {
        if (workload is null) return "no Workload yet";
        var assignments = (workload.Status?["admission"]?["podSetAssignments"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(assignment => $"{assignment["name"]}: {assignment["count"]} pod(s) in flavors {assignment["flavors"]?.ToJsonString()}");
        return $"{workload.Metadata.Name}: {workload.DescribeCondition("QuotaReserved")}; {workload.DescribeCondition("Admitted")}; " +
               $"admission [{string.Join("; ", assignments)}]";
    }

    /// <summary>Reserved or used quota in any flavor, or workloads still counted as reserving, admitted or pending.</summary>
    private static bool InUse(CustomObject queue) =>
        Totals(queue).Any(total => total.Amount != 0)
        || new[] { "reservingWorkloads", "admittedWorkloads" }.Any(field => (queue.Status?[field]?.GetValue<int>() ?? 0) > 0);

    private static IEnumerable<(string Field, string Flavor, string Resource, decimal Amount)> Totals(CustomObject queue) =>
        new[] { "flavorsReservation", "flavorsUsage" }.SelectMany(field =>
            (queue.Status?[field] as JsonArray ?? []).OfType<JsonObject>().SelectMany(flavor =>
                (flavor["resources"] as JsonArray ?? []).OfType<JsonObject>().Select(resource => (field, (string?)flavor["name"] ?? "",
                    (string?)resource["name"] ?? "", new ResourceQuantity((string?)resource["total"] ?? "0").ToDecimal()))));

    private static string DescribeUsage(CustomObject? queue) =>
        queue is null ? "not found"
            : $"{queue.Kind} {queue.Metadata.Name}: " +
              string.Join(", ", Totals(queue).Select(total => $"{total.Field} {total.Flavor}/{total.Resource}={total.Amount}")) +
              $"; reservingWorkloads={queue.Status?["reservingWorkloads"]?.ToJsonString() ?? "0"}, admittedWorkloads={queue.Status?["admittedWorkloads"]?.ToJsonString() ?? "0"}, " +
              $"pendingWorkloads={queue.Status?["pendingWorkloads"]?.ToJsonString() ?? "0"}";
}
