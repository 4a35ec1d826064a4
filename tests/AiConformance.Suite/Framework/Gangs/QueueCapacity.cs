using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// A test-owned queue of a PodGroup scheduler (a Volcano Queue, a KAI Queue) whose CPU limit holds exactly the
/// members the test allows: created labelled with the run, removed with the test; the cluster's queues are untouched.
/// </summary>
public sealed class QueueCapacity(TestNamespace ns, QueuedPodGroupScheduler scheduler) : IGangCapacity
{
    public string QueueName => ns.Name;

    public string MemberCpu => GangMembers.MemberCpu;

    string? IGangCapacity.QueueName => QueueName;

    public string Kind => $"CPU limit ({GangMembers.MemberCpu} per member) of the test-owned {scheduler.Queue.Kind} {QueueName}";

    private ClusterObjects<CustomObject> Queues => ns.ClusterScoped<CustomObject>(scheduler.Queue);

    public async Task ProvideAsync(int members)
    {
        Evidence.Step($"Create {scheduler.Queue.Kind} `{QueueName}` ({scheduler.Queue.ApiVersion}): CPU limit {GangMembers.CpuFor(members)}, " +
                      $"room for exactly {members} members");
        foreach (var queue in scheduler.QueuesFor(QueueName, members * GangMembers.MemberMilliCpu))
            await ns.CreateClusterScopedAsync(queue, scheduler.Queue);
        var open = await Wait.For(Queues.Watchable(QueueName))
            .Until($"{scheduler.Queue.Kind} {QueueName} to be open", seen => seen.Any(scheduler.IsOpen))
            .DescribedBy(seen => string.Join("; ", seen.Select(scheduler.DescribeQueue)))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed(scheduler.Queue.Kind, scheduler.DescribeQueue(open.Single()));
    }

    public void Place(V1Pod member)
    {
        // The queue, not the node, limits the group.
    }

    public async Task<(bool InUse, string Described)> UsageAsync()
    {
        var queue = await Queues.GetAsync(QueueName, ns.Cancellation);
        return (queue is not null && InUse(queue), queue is null ? "not found" : scheduler.DescribeQueue(queue));
    }

    public async Task WaitReleasedAsync()
    {
        var seen = await Wait.For(Queues.Watchable(QueueName))
            .Until($"{scheduler.Queue.Kind} {QueueName} to have nothing allocated and no group counted", queues => queues.Count == 1 && !InUse(queues[0]))
            .DescribedBy(queues => string.Join("; ", queues.Select(scheduler.DescribeQueue)))
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed($"{scheduler.Queue.Kind} after the group", scheduler.DescribeQueue(seen.Single()));
    }

    private bool InUse(CustomObject queue) => scheduler.QueueUsage(queue).Values.Any(amount => amount != 0);
}
