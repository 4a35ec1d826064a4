using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Gangs through Kueue: a test-owned ResourceFlavor, ClusterQueue (CPU quota for exactly the members the test
/// allows, open only to the test's namespace) and LocalQueue; a group is a suspended Job of N pods labelled with the
/// LocalQueue, which Kueue admits as one Workload and unsuspends. One class serves every served version.
/// </summary>
public sealed class KueueGang(TestNamespace ns, KueueKinds kinds) : IGangDriver
{
    private const string QueueNameLabel = "kueue.x-k8s.io/queue-name";
    private string QueueName => ns.Name;
    private ClusterObjects<CustomObject> ClusterQueues => ns.ClusterScoped<CustomObject>(kinds.ClusterQueue);
    private ClusterObjects<CustomObject> Workloads => ns.Objects<CustomObject>(kinds.Workload);

    public string CapacityKind => $"CPU quota ({GangMembers.MemberCpu} per member) of the test-owned ClusterQueue {QueueName}";

    public async Task ProvideCapacityAsync(int members)
    {
        var quota = GangMembers.CpuFor(members);
        Evidence.Step($"Create ResourceFlavor, ClusterQueue and LocalQueue `{QueueName}`: CPU quota {quota}, room for exactly {members} members");
        await ns.CreateClusterScopedAsync(CustomObject.Named(QueueName, []), kinds.ResourceFlavor);
        await ns.CreateClusterScopedAsync(CustomObject.Named(QueueName, new JsonObject
        {
            ["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns.Name } },
            ["resourceGroups"] = new JsonArray(new JsonObject
            {
                ["coveredResources"] = new JsonArray("cpu"),
                ["flavors"] = new JsonArray(new JsonObject
                {
                    ["name"] = QueueName,
                    ["resources"] = new JsonArray(new JsonObject { ["name"] = "cpu", ["nominalQuota"] = quota }),
                }),
            }),
        }), kinds.ClusterQueue);
        await ns.CreateAsync(CustomObject.Named(QueueName, new JsonObject { ["clusterQueue"] = QueueName }), kinds.LocalQueue);
        var active = await Wait.For(ClusterQueues.Watchable(QueueName))
            .Until($"ClusterQueue {QueueName} to be Active", seen => seen.Any(queue => queue.Condition("Active") == "True"))
            .DescribedBy(seen => string.Join("; ", seen.Select(queue => queue.DescribeCondition("Active"))))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed("ClusterQueue", active.Single().DescribeCondition("Active"));
    }

    public async Task SubmitAsync(string name, int members)
    {
        Evidence.Step($"Submit group `{name}`: a suspended Job of {members} pods in LocalQueue {QueueName}, each requesting {GangMembers.MemberCpu} CPU");
        await ns.CreateAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [QueueNameLabel] = QueueName } },
            Spec = new V1JobSpec
            {
                Suspend = true,
                Parallelism = members,
                Completions = members,
                BackoffLimit = 0,
                Template = GangMembers.Template(ns, name),
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

    public Task RemoveAsync(string name) => ns.Objects<V1Job>().DeleteAsync(name, ns.Cancellation);

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
    }

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
