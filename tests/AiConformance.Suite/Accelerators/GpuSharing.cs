using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using k8s;
using NUnit.Framework;

namespace AiConformance.Suite.Accelerators;

/// <summary>
/// gpu_sharing (KAR-0003): one physical GPU is exposed as several allocatable units that separate workloads use at
/// the same time, through hardware partitioning (MIG, via DRA or the device plugin), time-slicing or MPS. One
/// ResourceClaim shared by several pods is core DRA (proven by dra_support), not a GPU sharing strategy: without a
/// strategy the requirement needs attestation.
/// </summary>
[Requirement("gpu_sharing")]
[Holds(Hold.AllAccelerators)] // the shared units of one GPU; its slices and the whole GPU are the same hardware
public sealed class GpuSharing
{
    private static readonly DetectedCases<SharingStrategy> Strategies = new(SharingStrategies.DetectAsync);

    /// <summary>One case per sharing strategy found on the cluster (e.g. <c>TestGpuSharing/MigThroughDra/...</c>).</summary>
    public static IEnumerable<TestCaseData> StrategiesFound() => Strategies.Cases();

    [TestCaseSource(nameof(StrategiesFound))]
    [Description("KAR-0003: several pods requesting logical GPUs are scheduled and running at the same time on the same physical GPU (or on distinct MIG slices of it); each sharing strategy found is proven on its own")]
    public async Task SeveralPodsRunAtOnceOnSharedGpus(SharingStrategy? found)
    {
        var strategy = Strategies.Require(found, "GPU sharing strategy", searched => Outcome.NeedsAttestation(
            $"no GPU sharing strategy the suite can prove: looked for {searched}. One ResourceClaim shared by pods is core DRA, not a sharing " +
            "strategy. If the accelerator supports none, the requirement is N/A; otherwise a person must attest how GPUs are shared"));
        await ProveAsync(strategy, strategy.Inventory);
    }

    private static async Task ProveAsync(SharingStrategy strategy, AcceleratorInventory inventory)
    {
        await using var ns = await TestNamespace.CreateAsync("sharing");
        await using var lease = new AcceleratorLease(ns, strategy.Units);
        var names = Enumerable.Range(0, strategy.Pods).Select(index => $"sharer-{index}").ToArray();
        Evidence.Step($"Run {names.Length} probe pods on {strategy.Node}, each requesting one unit");
        foreach (var name in names) await lease.StartProbeAsync(name, node: strategy.Node);
        await ns.WaitForRunningAsync(names);
        var reports = new List<ProbeReport>();
        foreach (var name in names) reports.Add(await ns.ReadProbeAsync(name));
        var units = reports.SelectMany(report => report.Accelerators).ToList();
        foreach (var unit in units) Evidence.Observed("unit", $"{unit.Id} on physical {unit.PhysicalId ?? "unknown"} ({unit.Source})");

        Assert.Multiple(() =>
        {
            // Negative control: sharing must not hand a pod more than its unit.
            Assert.That(reports.Select(report => report.Accelerators.Count), Is.All.EqualTo(1), $"{strategy.Description}: units visible to each pod that asked for one");
            if (strategy.Partitioned)
            {
                Assert.That(units.Select(unit => unit.Source), Is.All.EqualTo(AcceleratorSource.NvidiaMig), $"{strategy.Description}: each pod sees a MIG slice, not a whole GPU");
                Assert.That(units.Select(unit => unit.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count(), Is.EqualTo(units.Count), $"{strategy.Description}: MIG slices seen by two pods");
            }
            else
            {
                Assert.That(units.GroupBy(unit => unit.PhysicalId ?? unit.Id).Any(group => group.Count() > 1), Is.True,
                    $"{strategy.Description}: {names.Length} pods on a node with {names.Length - 1} physical GPUs must share one; they saw {string.Join(", ", units.Select(unit => unit.PhysicalId ?? unit.Id))}");
            }
        });
        if (strategy.Partitioned) await AssertSlicesAreTheAllocatedOnesAsync(ns, strategy, inventory, reports);
        await lease.ReleaseAsync(mustRelease: false);
    }

    /// <summary>With DRA, each pod's visible slice is the device allocated to its own claim.</summary>
    private static async Task AssertSlicesAreTheAllocatedOnesAsync(TestNamespace ns, SharingStrategy strategy, AcceleratorInventory inventory, List<ProbeReport> reports)
    {
        if (strategy.Units.Path != AcceleratorPath.Dra) return;
        var claims = (await ns.Kubernetes.ResourceV1.ListNamespacedResourceClaimAsync(ns.Name, cancellationToken: ns.Cancellation)).Items;
        var allocated = claims.SelectMany(claim => AllocationChecks.Resolve(claim.Allocated(), inventory)).Select(entry => entry.Device).OfType<PublishedDevice>().ToList();
        Evidence.Observed("allocated slices", string.Join(", ", allocated.Select(device => $"{device.Key} ({device.Text("uuid")}, parent {device.Text("parentUUID") ?? "?"})")));
        Assert.Multiple(() =>
        {
            Assert.That(allocated.Select(device => device.Key).Distinct().Count(), Is.EqualTo(reports.Count), "distinct slices allocated, one per pod");
            foreach (var report in reports)
                Assert.That(allocated.Any(device => report.Accelerators.Any(device.IsSeenAs)), Is.True,
                    $"the slice a pod sees ({AllocationChecks.Seen(report)}) is one of the allocated slices");
        });
    }
}
