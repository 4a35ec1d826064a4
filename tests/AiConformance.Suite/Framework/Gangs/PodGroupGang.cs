using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Gangs through a scheduler that places pods by PodGroup (Volcano, KAI, scheduler-plugins coscheduling, the Workload
/// API): a group is a PodGroup of <c>minMember</c> N and N pods marked as its members for that scheduler. Where the
/// cluster has accelerator units to spare, each member holds one on a node where the test leaves exactly N free (the
/// AI case); else the capacity is the backend's <see cref="PodGroupScheduler"/> CPU capacity (a test-owned queue, or a
/// share of one node). A test-owned queue limits the group either way. A group is admitted when every member is bound,
/// and decided when the scheduler says, on the PodGroup, that it does not fit.
/// </summary>
public sealed class PodGroupGang(TestNamespace ns, PodGroupScheduler scheduler) : IGangDriver
{
    private IGangCapacity? capacity;
    private string? whyCpu;

    private ClusterObjects<CustomObject> PodGroups => ns.Objects<CustomObject>(scheduler.PodGroup);

    public string CapacityKind => Capacity.Accelerator is null ? $"{Capacity.Kind} (CPU: {whyCpu})" : Capacity.Kind;

    public GangAccelerator? Accelerator => capacity?.Accelerator;

    private IGangCapacity Capacity => capacity ?? throw new InvalidOperationException("the group's capacity is provided before it is used");

    public async Task ProvideCapacityAsync(int members)
    {
        (var accelerator, whyCpu) = await GangAccelerator.ChooseOnOneNodeAsync(ns, members);
        var own = scheduler.Capacity(ns);
        capacity = accelerator is null ? own : new AcceleratorNodeCapacity(accelerator, own.QueueName is null ? null : own);
        await capacity.ProvideAsync(members);
    }

    public async Task SubmitAsync(string name, int members)
    {
        Evidence.Step($"Submit group `{name}`: a {scheduler.PodGroup.Kind} ({scheduler.PodGroup.ApiVersion}) with {scheduler.GangSizeField} {members} and {members} " +
                      $"member pods for scheduler `{scheduler.SchedulerName}`, each requesting {Capacity.MemberCpu} CPU" +
                      (Capacity.Accelerator is null ? "" : " and one accelerator unit"));
        await scheduler.DeclareAsync(ns, name, members);
        await ns.CreateAsync(CustomObject.Named(name, scheduler.PodGroupSpec(name, members, Capacity)), scheduler.PodGroup);
        for (var index = 0; index < members; index++)
        {
            var template = GangMembers.Template(ns, name, Capacity.MemberCpu, Capacity.Accelerator);
            var pod = new V1Pod { Metadata = template.Metadata, Spec = template.Spec };
            pod.Metadata.Name = $"{name}-{index}";
            pod.Spec.SchedulerName = scheduler.SchedulerName;
            Capacity.Place(pod);
            scheduler.Join(pod, name, Capacity);
            await ns.CreateAsync(pod);
        }
    }

    public async Task WaitAdmittedAsync(string name)
    {
        await Wait.For(ns.Pods())
            .Until($"every member of group `{name}` to be bound to a node", pods => GangMembers.Of(pods, name) is { Count: > 0 } mine && mine.All(IsBound))
            .DescribedBy(pods => PodWaits.Describe(GangMembers.Of(pods, name)))
            .Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation);
        Evidence.Observed($"{scheduler.PodGroup.Kind} {name}", scheduler.Describe(await PodGroups.GetAsync(name, ns.Cancellation)));
    }

    public async Task WaitDecidedAsync(string name)
    {
        if (!scheduler.VerdictOnPodGroup)
        {
            var pods = await Wait.For(ns.Pods())
                .Until($"scheduler `{scheduler.SchedulerName}` to decide on group `{name}` (every member unschedulable, or one bound)",
                    pods => GangMembers.Of(pods, name) is { Count: > 0 } mine && (mine.All(IsUnschedulable) || mine.Any(IsBound)))
                .DescribedBy(pods => PodWaits.Describe(GangMembers.Of(pods, name)))
                .Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation);
            Evidence.Observed($"members of {name}", PodWaits.Describe(GangMembers.Of(pods, name)));
            return;
        }
        var seen = await Wait.For(PodGroups.Watchable(name))
            .Until($"{scheduler.PodGroup.Kind} {name} to say that the group cannot be placed", groups => groups.Any(scheduler.SaysUnschedulable))
            .DescribedBy(groups => string.Join("; ", groups.Select(group => scheduler.Describe(group))))
            .Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation);
        Evidence.Observed($"{scheduler.PodGroup.Kind} {name}", scheduler.Describe(seen.Single()));
    }

    public async Task RemoveAsync(string name)
    {
        var (pods, _) = await ns.Objects<V1Pod>().ListAsync($"{GangMembers.GroupLabel}={name}", null, ns.Cancellation);
        Accelerator?.Account(pods);
        foreach (var pod in pods) await ns.DeleteAsync<V1Pod>(pod.Metadata.Name, gracePeriodSeconds: 0);
        await PodGroups.DeleteAsync(name, ns.Cancellation);
    }

    public Task<(bool InUse, string Described)> UsageAsync() => Capacity.UsageAsync();

    public Task WaitReleasedAsync() => Capacity.WaitReleasedAsync();

    public Task<string?> CapacityMovedAsync() => Capacity.MovedAsync();

    private static bool IsBound(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec.NodeName);

    private static bool IsUnschedulable(V1Pod pod) =>
        pod.Status?.Conditions?.Any(condition => condition is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable" }) == true;
}
