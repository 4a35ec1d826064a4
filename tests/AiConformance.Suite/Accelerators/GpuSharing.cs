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
public sealed class GpuSharing
{
    private static RunContext Run => RunContext.Current;

    /// <summary>A way the cluster shares GPUs, with where to prove it and how pods ask for one unit.</summary>
    private sealed record Strategy(string Name, string Node, int Pods, DetectedAccelerator Units, bool Partitioned);

    /// <summary>The strategies the suite can prove, what it looked for, and mechanisms it found but cannot prove.</summary>
    private sealed record Detection(List<Strategy> Strategies, List<string> LookedFor, List<string> Unproven);

    [Test]
    [Description("KAR-0003: several pods requesting logical GPUs are scheduled and running at the same time on the same physical GPU (or on distinct MIG slices of it); every sharing mechanism found is proven")]
    public async Task SeveralPodsRunAtOnceOnSharedGpus()
    {
        var settings = AcceleratorSettings.From(Run.Configuration);
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        var detection = Detect(inventory, settings);
        foreach (var unproven in detection.Unproven) Evidence.Observed("sharing mechanism the suite cannot prove", unproven);
        if (detection.Strategies.Count == 0)
            Outcome.NeedsAttestation($"no GPU sharing strategy the suite can prove: looked for {string.Join("; ", detection.LookedFor)}" +
                                     (detection.Unproven.Count > 0 ? $"; found {string.Join("; ", detection.Unproven)}" : "") +
                                     ". One ResourceClaim shared by pods is core DRA, not a sharing strategy. If the accelerator supports none, the requirement is N/A; " +
                                     "otherwise a person must attest how GPUs are shared");
        foreach (var strategy in detection.Strategies) await ProveAsync(strategy, inventory);
    }

    private static async Task ProveAsync(Strategy strategy, AcceleratorInventory inventory)
    {
        Evidence.Observed("sharing strategy", $"{strategy.Name} on {strategy.Node}: {strategy.Units.Summary}");
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
            Assert.That(reports.Select(report => report.Accelerators.Count), Is.All.EqualTo(1), $"{strategy.Name}: units visible to each pod that asked for one");
            if (strategy.Partitioned)
            {
                Assert.That(units.Select(unit => unit.Source), Is.All.EqualTo(AcceleratorSource.NvidiaMig), $"{strategy.Name}: each pod sees a MIG slice, not a whole GPU");
                Assert.That(units.Select(unit => unit.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count(), Is.EqualTo(units.Count), $"{strategy.Name}: MIG slices seen by two pods");
            }
            else
            {
                Assert.That(units.GroupBy(unit => unit.PhysicalId ?? unit.Id).Any(group => group.Count() > 1), Is.True,
                    $"{strategy.Name}: {names.Length} pods on a node with {names.Length - 1} physical GPUs must share one; they saw {string.Join(", ", units.Select(unit => unit.PhysicalId ?? unit.Id))}");
            }
        });
        if (strategy.Partitioned) await AssertSlicesAreTheAllocatedOnesAsync(ns, strategy, inventory, reports);
        await lease.ReleaseAsync(mustRelease: false);
    }

    /// <summary>With DRA, each pod's visible slice is the device allocated to its own claim.</summary>
    private static async Task AssertSlicesAreTheAllocatedOnesAsync(TestNamespace ns, Strategy strategy, AcceleratorInventory inventory, List<ProbeReport> reports)
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

    /// <summary>One strategy per mechanism found (MIG through DRA, MIG through the device plugin, time-slicing or MPS).</summary>
    private static Detection Detect(AcceleratorInventory inventory, AcceleratorSettings settings)
    {
        var found = new Detection([], [], []);

        found.LookedFor.Add("DRA DeviceClasses of MIG devices (attribute type=mig)");
        foreach (var deviceClass in inventory.DeviceClasses)
        {
            var slices = inventory.DevicesOf(deviceClass).Where(device => device.Text("type") == "mig").ToList();
            var node = slices.Where(device => device.Node is not null).GroupBy(device => device.Node!)
                .Where(group => group.Count() >= 2).OrderByDescending(group => group.Count()).Select(group => group.Key).FirstOrDefault();
            if (node is null || AcceleratorDetection.FromClass(deviceClass, inventory, settings, "detected") is not { } units) continue;
            found.Strategies.Add(new Strategy($"MIG through DRA DeviceClass {deviceClass.Name}", node, 2, units, Partitioned: true));
            break;
        }

        found.LookedFor.Add("device-plugin MIG resources (nvidia.com/mig-*) on nodes that do not also time-slice them");
        foreach (var resource in inventory.AcceleratorResources.Where(name => name.StartsWith("nvidia.com/mig-", StringComparison.Ordinal)))
        {
            if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } units) continue;
            // A time-sliced MIG slice may go to two pods: distinct slices per pod would not hold.
            var node = NodeUnits.Of(units, inventory).Where(node => !node.Shared && node.Units >= 2).Select(node => node.Node).FirstOrDefault();
            if (node is null) continue;
            found.Strategies.Add(new Strategy($"MIG through device-plugin resource {resource}", node, 2, units, Partitioned: true));
            break;
        }

        found.LookedFor.Add("time-slicing or MPS of a device-plugin resource (feature-discovery labels <resource>.replicas above 1, <resource>.sharing-strategy, " +
                            "a <resource>.product ending in -SHARED, or a renamed <resource>.shared), with more units than physical GPUs on one node");
        foreach (var resource in inventory.AcceleratorResources)
        {
            if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } units) continue;
            // One pod more than there are physical GPUs: at least two must share one.
            if (NodeUnits.Of(units, inventory).FirstOrDefault(node => node.Shared && node.Units >= node.PhysicalDevices + 1) is not { } shared) continue;
            // Only this node's units: another node's whole GPUs under the same name would prove nothing.
            units = units with { CapacityByNode = new Dictionary<string, int> { [shared.Node] = shared.Units } };
            found.Strategies.Add(new Strategy($"sharing of {resource} ({shared.SharedBecause}; {shared.PhysicalDevices} physical)", shared.Node,
                shared.PhysicalDevices + 1, units, Partitioned: false));
            break;
        }

        found.LookedFor.Add("DRA partitionable devices (devices that consume a shared counter set)");
        var partitions = inventory.Devices.Where(device => device.ConsumesCounters && device.Text("type") != "mig").ToList();
        if (partitions.Count > 0)
            found.Unproven.Add($"{partitions.Count} partitionable devices ({string.Join(", ", partitions.Take(4).Select(device => device.Key))}{(partitions.Count > 4 ? ", ..." : "")})");
        found.LookedFor.Add("DRA devices that allow multiple allocations");
        var multiple = inventory.Devices.Where(device => device.AllowMultipleAllocations).ToList();
        if (multiple.Count > 0)
            found.Unproven.Add($"{multiple.Count} devices that allow multiple allocations ({string.Join(", ", multiple.Take(4).Select(device => device.Key))}{(multiple.Count > 4 ? ", ..." : "")})");
        return found;
    }
}
