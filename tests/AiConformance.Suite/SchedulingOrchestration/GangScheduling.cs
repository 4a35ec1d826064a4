using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Gangs;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.SchedulingOrchestration;

/// <summary>
/// gang_scheduling (KAR-0053): on every gang scheduler the cluster serves, a group of pods is placed all or nothing.
/// Upstream tests stop at admission; these prove that a whole group runs at once, that a group which fits only in
/// part has no member placed, that it runs whole once capacity is freed, and that its capacity is given back.
/// The capacity each test controls is its own (a test-owned queue's quota, or exactly N free accelerator units of one
/// node), so the cluster's size never decides; where enough accelerator units are free (and, for Kueue, its quota
/// counts them), the members hold accelerators (the AI case), else CPU, and the evidence says which and why.
/// </summary>
[Requirement("gang_scheduling")]
public sealed class GangScheduling
{
    public const string MembersKey = "gang.members";
    public const string ObservationWindowKey = "gang.observationWindow";

    private static readonly DetectedCases<GangBackend> Backends = new(GangSchedulerDetection.DetectAsync);

    private static RunContext Run => RunContext.Current;

    public static IEnumerable<TestCaseData> Cases() =>
        Backends.Cases().Select(found => found.SetProperty(Holding.Property, HoldingOf(found.Arguments[0] as GangBackend)));

    /// <summary>
    /// What a backend's case holds. Kueue's capacity is a test-owned quota: beside others it needs only the units its
    /// members hold, one each. A PodGroup scheduler's group is sized to what one node has free (its accelerator units,
    /// else its CPU), with a window in which nothing may be placed there: no other pod may come or go meanwhile.
    /// </summary>
    public static string HoldingOf(GangBackend? backend)
    {
        var members = int.TryParse(Run.Configuration.Get(MembersKey), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var configured) ? configured : 3;
        return backend?.Name == "Kueue" ? new Holding(Hold.AcceleratorShare, Math.Max(members, 1)).ToString() : new Holding(Hold.WholeNodes).ToString();
    }

    [TestCaseSource(nameof(Cases))]
    [Description("KAR-0053 'How we might test it': a group of N pods is admitted as one and all its members run at the same time")]
    public async Task WholeGroupRunsAtTheSameTime(GangBackend? backend)
    {
        await using var ns = await TestNamespace.CreateAsync("gang-whole");
        var (gang, members) = Drive(backend, ns);
        await using var accounting = gang;
        await ProvideAsync(gang, members);

        var running = await OnOwnCapacityAsync(gang, () => RunGroupAsync(gang, ns, "group", members));

        var intervals = RunningIntervals(running);
        Assert.Multiple(() =>
        {
            Assert.That(running, Has.Count.EqualTo(members), "members of the group running");
            // The members ran at the same time: the latest start is before any member ended.
            Assert.That(intervals.Select(interval => interval.Start), Has.All.Not.Null, "every member reports when it started running");
        });
        Evidence.Observed("members run together from", $"{intervals.Max(interval => interval.Start):O} (all {members} Running at once)");
        await gang.RemoveAsync("group");
    }

    [TestCaseSource(nameof(Cases))]
    [Description("KAR-0053, all or nothing: a group whose members each fit but which as a whole does not fit the test's capacity has no member " +
                 "bound or running during the observation window; when capacity is freed, the whole group runs")]
    public async Task GroupThatFitsOnlyInPartHasNoMemberPlacedUntilItFitsWhole(GangBackend? backend)
    {
        await using var ns = await TestNamespace.CreateAsync("gang-partial");
        var (gang, members) = Drive(backend, ns);
        await using var accounting = gang;
        await ProvideAsync(gang, members);

        Evidence.Step($"Take one member's share of the capacity with a group of one, so {members - 1} of {members} members fit");
        await RunGroupAsync(gang, ns, "holder", 1);

        await gang.SubmitAsync("group", members);
        await gang.WaitDecidedAsync("group");
        var window = Run.Configuration.GetDuration(ObservationWindowKey, TimeSpan.FromSeconds(60));
        Evidence.Step($"Watch group `group` for {window.TotalSeconds:0.#} s ({ObservationWindowKey}): no member may be bound to a node or run");
        var held = await OnOwnCapacityAsync(gang, () => Wait.For(ns.Pods())
            .Holding("no member of group `group` to be bound or running", pods => GangMembers.Of(pods, "group").All(IsUnplaced))
            .DescribedBy(pods => Describe(GangMembers.Of(pods, "group")))
            .Within(window).Async(ns.Cancellation));
        Evidence.Observed($"group after {window.TotalSeconds:0.#} s", Describe(GangMembers.Of(held, "group")));

        Evidence.Step("Free the capacity: delete the holder; the whole group must now run");
        await gang.RemoveAsync("holder");
        await gang.WaitAdmittedAsync("group");
        var running = await OnOwnCapacityAsync(gang, () => AllRunningAsync(ns, "group", members));
        Assert.That(running, Has.Count.EqualTo(members), "members of the group running once the capacity was freed");
        await gang.RemoveAsync("group");
    }

    [TestCaseSource(nameof(Cases))]
    [Description("KAR-0053, afterwards: when the group is gone its quota usage, reservations and admitted workloads return to zero")]
    public async Task CapacityReturnsToZeroAfterTheGroupEnds(GangBackend? backend)
    {
        await using var ns = await TestNamespace.CreateAsync("gang-release");
        var (gang, members) = Drive(backend, ns);
        await using var accounting = gang;
        await ProvideAsync(gang, members);

        await RunGroupAsync(gang, ns, "group", members);
        var (inUse, described) = await gang.UsageAsync();
        Evidence.Observed("capacity while the group runs", described);
        // Negative control: the usage being watched really counts the group, so "zero" later is not vacuous.
        Assert.That(inUse, Is.True, $"the backend reports no usage while the group runs: {described}");

        Evidence.Step("Delete the group and wait for its pods to be gone");
        await gang.RemoveAsync("group");
        await Wait.For(ns.Pods())
            .Until("every member of group `group` to be gone", pods => GangMembers.Of(pods, "group").Count == 0)
            .DescribedBy(pods => Describe(GangMembers.Of(pods, "group")))
            .Within(ns.Timeouts.PodCompleted).Async(ns.Cancellation);
        await gang.WaitReleasedAsync();
    }

    /// <summary>The driver of the case's backend and the group size; no backend fails (a MUST), one not driven yet needs attestation.</summary>
    private static (IGangDriver Gang, int Members) Drive(GangBackend? backend, TestNamespace ns)
    {
        var found = Backends.Require(backend, "gang scheduler", searched =>
            Assert.Fail($"no gang scheduler is served (looked for: {searched}); gang scheduling is a MUST"));
        var (gang, why) = GangDrivers.For(found, ns);
        if (gang is null)
            Outcome.NeedsAttestation($"{found.Summary} is served, but {why}; or attach evidence that a group of pods is placed all or nothing by it");
        var members = Run.Configuration.GetInt(MembersKey, 3);
        if (members < 2) throw new ConfigurationException($"configuration key '{MembersKey}' is {members}; a group needs at least 2 members");
        return (gang!, members);
    }

    /// <summary>Creates the capacity the group is sized to; the evidence says which (accelerators, else CPU and why).</summary>
    private static async Task ProvideAsync(IGangDriver gang, int members)
    {
        await gang.ProvideCapacityAsync(members);
        Evidence.Observed("capacity the test controls", gang.CapacityKind);
    }

    /// <summary>
    /// A step whose verdict rests on the capacity the group was sized to. Where that capacity is shared with others (a
    /// node's free CPU) and their pods moved it meanwhile, a failure says nothing of the gang scheduler: the step needs
    /// attestation instead, saying what moved.
    /// </summary>
    private static async Task<T> OnOwnCapacityAsync<T>(IGangDriver gang, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (AssertionException failure)
        {
            if (await gang.CapacityMovedAsync() is { } moved)
                Outcome.NeedsAttestation($"{moved}, so this step could not be decided ({failure.Message.Split('\n')[0]}); " +
                                         "rerun when the node is quiet, or attach evidence of all-or-nothing placement");
            throw;
        }
    }

    /// <summary>Submits a group that fits and waits until it is admitted and all its members run.</summary>
    private static async Task<List<V1Pod>> RunGroupAsync(IGangDriver gang, TestNamespace ns, string group, int members)
    {
        await gang.SubmitAsync(group, members);
        await gang.WaitAdmittedAsync(group);
        return await AllRunningAsync(ns, group, members);
    }

    /// <summary>Waits until every member of the group is Running at the same moment; records each member's Running interval.</summary>
    private static async Task<List<V1Pod>> AllRunningAsync(TestNamespace ns, string group, int members)
    {
        var seen = await Wait.For(ns.Pods())
            .Until($"all {members} members of group `{group}` to run at the same time",
                pods => GangMembers.Of(pods, group) is var mine && mine.Count >= members && mine.All(PodWaits.IsRunning))
            .DescribedBy(pods => Describe(GangMembers.Of(pods, group)))
            .Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        var running = GangMembers.Of(seen, group);
        foreach (var (name, start, node) in RunningIntervals(running))
            Evidence.Observed($"member {name}", $"Running since {start:O} on {node} (still running)");
        return running;
    }

    private static List<(string Name, DateTime? Start, string? Node)> RunningIntervals(IEnumerable<V1Pod> pods) =>
        [.. pods.OrderBy(pod => pod.Metadata.Name, StringComparer.Ordinal).Select(pod => (pod.Metadata.Name,
            pod.Status?.ContainerStatuses?.Select(status => status.State?.Running?.StartedAt).Min(), pod.Spec.NodeName))];

    private static bool IsUnplaced(V1Pod pod) => string.IsNullOrEmpty(pod.Spec.NodeName) && !PodWaits.IsRunning(pod);

    private static string Describe(IReadOnlyList<V1Pod> pods) =>
        pods.Count == 0 ? "no member pods" : string.Join("; ", pods.Select(PodWaits.Describe));
}
