using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// What the gang fixture does through a backend, in one test namespace: give the test a capacity it owns, submit
/// a group of pods that must be placed all or nothing, see what the backend decided, remove the group, and see the
/// capacity return to zero. Everything created is owned by the test and removed with its namespace; disposing the
/// driver (before the namespace) writes the accelerator-seconds its groups held.
/// </summary>
public interface IGangDriver : IAsyncDisposable
{
    /// <summary>How capacity is controlled, for the evidence (e.g. CPU quota of a test-owned ClusterQueue).</summary>
    string CapacityKind { get; }

    /// <summary>Creates a capacity that holds exactly <paramref name="members"/> members and waits until it can be used.</summary>
    Task ProvideCapacityAsync(int members);

    /// <summary>Submits a group of <paramref name="members"/> pods labelled <see cref="GangMembers.GroupLabel"/>=<paramref name="name"/>.</summary>
    Task SubmitAsync(string name, int members);

    /// <summary>Waits until the backend has admitted the whole group; fails (an assertion) at the deadline.</summary>
    Task WaitAdmittedAsync(string name);

    /// <summary>Waits until the backend has looked at the group and said whether it admits it, so a hold is not vacuous.</summary>
    Task WaitDecidedAsync(string name);

    /// <summary>Deletes the group and its pods.</summary>
    Task RemoveAsync(string name);

    /// <summary>What the capacity holds now: whether any of it is reserved or used, and its description.</summary>
    Task<(bool InUse, string Described)> UsageAsync();

    /// <summary>Waits until quota usage, reservations and counted workloads are back to zero; fails at the deadline.</summary>
    Task WaitReleasedAsync();

    /// <summary>
    /// Why the capacity the group was sized to is no longer what the test controls (others' pods came or went on the
    /// node whose free CPU it shares); null while it is, and always for a test-owned queue.
    /// </summary>
    Task<string?> CapacityMovedAsync() => Task.FromResult<string?>(null);

    /// <summary>The accelerator the members hold a unit of; null when they hold CPU only.</summary>
    GangAccelerator? Accelerator { get; }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        if (Accelerator is { } accelerator) await accelerator.AccountRemainingAsync();
    }
}

/// <summary>Group members: pods of the test namespace labelled with their group's name.</summary>
public static class GangMembers
{
    public const string GroupLabel = "aiconformance.io/gang";

    /// <summary>The CPU each member requests, in millicores; small, so the test's quota (not the nodes) limits the group.</summary>
    public const int MemberMilliCpu = 100;

    public static string MemberCpu => $"{MemberMilliCpu}m";

    /// <summary>CPU for <paramref name="members"/> members, as a quantity.</summary>
    public static string CpuFor(int members) => $"{members * MemberMilliCpu}m";

    public static List<V1Pod> Of(IEnumerable<V1Pod> pods, string group) =>
        [.. pods.Where(pod => pod.Metadata.Labels?.TryGetValue(GroupLabel, out var value) == true && value == group)];

    /// <summary>
    /// A member's pod template: the probe holding for a long time, requesting <paramref name="cpu"/> (default
    /// <see cref="MemberCpu"/>) and, with <paramref name="accelerator"/>, one accelerator unit.
    /// </summary>
    public static V1PodTemplateSpec Template(TestNamespace ns, string group, string? cpu = null, GangAccelerator? accelerator = null)
    {
        var probe = ProbePod.Configured("member", ns.Run.Configuration);
        var pod = (accelerator is null ? probe : accelerator.Equip(probe)).Build();
        pod.Metadata.Name = null;
        pod.Metadata.Labels[GroupLabel] = group;
        foreach (var container in pod.Spec.Containers)
            (container.Resources ??= new V1ResourceRequirements()).Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu ?? MemberCpu) };
        return new V1PodTemplateSpec { Metadata = pod.Metadata, Spec = pod.Spec };
    }
}

/// <summary>The driver for a detected backend, or why there is none.</summary>
public static class GangDrivers
{
    public static (IGangDriver? Driver, string? Why) For(GangBackend backend, TestNamespace ns) => backend.Name switch
    {
        "Kueue" => (new KueueGang(ns, new KueueKinds(backend.Version)), null),
        "Volcano" => (new PodGroupGang(ns, new VolcanoPodGroups(backend.Version)), null),
        "Kai" => (new PodGroupGang(ns, new KaiPodGroups(backend.Version)), null),
        "Coscheduling" when backend.SchedulerName is { } name => (new PodGroupGang(ns, new CoschedulingPodGroups(backend.Version, name)), null),
        "Coscheduling" => (null, $"the name of the scheduler that runs its plugin is unknown: set {GangSchedulerDetection.CoschedulingSchedulerKey}"),
        "WorkloadApi" when WorkloadApiPodGroups.Driven.Contains(backend.Version) => (new PodGroupGang(ns, new WorkloadApiPodGroups(backend.Version)), null),
        "WorkloadApi" => (null, $"{backend.Version} (Kubernetes 1.35) has no PodGroup kind and joins pods by spec.workloadRef, which this suite's " +
                                $"pod model lacks; {string.Join(" and ", WorkloadApiPodGroups.Driven)} are driven"),
        _ => (null, "this suite cannot drive it"),
    };
}
