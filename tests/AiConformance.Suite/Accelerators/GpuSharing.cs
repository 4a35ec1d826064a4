using System.Globalization;
using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using k8s;
using NUnit.Framework;

namespace AiConformance.Suite.Accelerators;

/// <summary>
/// gpu_sharing (KAR-0003): one physical GPU is exposed as several allocatable units that separate workloads use at
/// the same time, through hardware partitioning (MIG, via DRA or the device plugin) or time-slicing; without either,
/// through DRA's own sharing of one claim's device by several pods.
/// </summary>
[Requirement("gpu_sharing")]
public sealed class GpuSharing
{
    private const string ReplicasLabel = "nvidia.com/gpu.replicas";
    private const string GpuCountLabel = "nvidia.com/gpu.count";

    private static RunContext Run => RunContext.Current;

    /// <summary>A way the cluster shares GPUs, with where to prove it and how pods ask for one unit.</summary>
    private sealed record Strategy(string Name, string Node, int Pods, DetectedAccelerator Units, bool Partitioned, bool SharedClaim = false);

    [Test]
    [Description("KAR-0003: several pods requesting logical GPUs are scheduled and running at the same time on the same physical GPU (or on distinct MIG slices of it); every sharing mechanism found is proven")]
    public async Task SeveralPodsRunAtOnceOnSharedGpus()
    {
        var settings = AcceleratorSettings.From(Run.Configuration);
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        var (strategies, lookedFor) = Detect(inventory, settings);
        if (strategies.Count == 0)
            Outcome.NeedsAttestation($"no GPU sharing mechanism found: {lookedFor}. If the accelerator supports none, the requirement is N/A; otherwise a person must attest how GPUs are shared");
        foreach (var strategy in strategies) await ProveAsync(strategy, inventory);
    }

    private static async Task ProveAsync(Strategy strategy, AcceleratorInventory inventory)
    {
        Evidence.Observed("sharing strategy", $"{strategy.Name} on {strategy.Node}: {strategy.Units.Summary}");
        await using var ns = await TestNamespace.CreateAsync("sharing");
        await using var lease = new AcceleratorLease(ns, strategy.Units);
        var names = Enumerable.Range(0, strategy.Pods).Select(index => $"sharer-{index}").ToArray();
        Evidence.Step(strategy.SharedClaim
            ? $"Run {names.Length} probe pods on {strategy.Node} that all reference one ResourceClaim"
            : $"Run {names.Length} probe pods on {strategy.Node}, each requesting one unit");
        if (strategy.SharedClaim)
        {
            // DRA's own way to share: one claim, reserved for several pods at once.
            await lease.CreateClaimAsync(Claims.Claim("shared-gpu", strategy.Units.DeviceClass!));
            foreach (var name in names)
                await lease.StartAsync(lease.Base(name, strategy.Node) with
                {
                    Claims = [ProbePod.FromClaim(Claims.RequestName, "shared-gpu")],
                    Containers = [new ProbeContainer { Claims = [Claims.RequestName] }],
                }, devices: 1);
        }
        else
        {
            foreach (var name in names) await lease.StartProbeAsync(name, node: strategy.Node);
        }
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
                    strategy.SharedClaim
                        ? $"{strategy.Name}: the pods must use the same physical GPU; they saw {string.Join(", ", units.Select(unit => unit.PhysicalId ?? unit.Id))}"
                        : $"{strategy.Name}: {names.Length} pods on a node with {names.Length - 1} physical GPUs must share one; they saw {string.Join(", ", units.Select(unit => unit.PhysicalId ?? unit.Id))}");
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

    /// <summary>One strategy per mechanism found (MIG through DRA, MIG through the device plugin, time-slicing).</summary>
    private static (List<Strategy> Strategies, string LookedFor) Detect(AcceleratorInventory inventory, AcceleratorSettings settings)
    {
        var lookedFor = new List<string>();
        var strategies = new List<Strategy>();

        lookedFor.Add("DRA DeviceClasses of MIG devices (attribute type=mig)");
        foreach (var deviceClass in inventory.DeviceClasses)
        {
            var slices = inventory.DevicesOf(deviceClass).Where(device => device.Text("type") == "mig").ToList();
            var node = slices.Where(device => device.Node is not null).GroupBy(device => device.Node!)
                .Where(group => group.Count() >= 2).OrderByDescending(group => group.Count()).Select(group => group.Key).FirstOrDefault();
            if (node is null || AcceleratorDetection.FromClass(deviceClass, inventory, settings, "detected") is not { } units) continue;
            strategies.Add(new Strategy($"MIG through DRA DeviceClass {deviceClass.Name}", node, 2, units, Partitioned: true));
            break;
        }

        lookedFor.Add("device-plugin MIG resources (nvidia.com/mig-*)");
        foreach (var resource in inventory.ExtendedResources.Where(name => name.StartsWith("nvidia.com/mig-", StringComparison.Ordinal)))
        {
            var node = inventory.Allocatable(resource).Where(entry => entry.Value >= 2).Select(entry => entry.Key).FirstOrDefault();
            if (node is null || AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } units) continue;
            strategies.Add(new Strategy($"MIG through device-plugin resource {resource}", node, 2, units, Partitioned: true));
            break;
        }

        lookedFor.Add($"time-slicing (node label {ReplicasLabel} above 1 with nvidia.com/gpu or nvidia.com/gpu.shared)");
        foreach (var node in inventory.ReadyNodes)
        {
            var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
            if (!labels.TryGetValue(ReplicasLabel, out var replicasText) || !int.TryParse(replicasText, CultureInfo.InvariantCulture, out var replicas) || replicas < 2) continue;
            foreach (var resource in new[] { "nvidia.com/gpu.shared", "nvidia.com/gpu" })
            {
                var allocatable = inventory.Allocatable(resource).GetValueOrDefault(node.Metadata.Name);
                var physical = labels.TryGetValue(GpuCountLabel, out var countText) && int.TryParse(countText, CultureInfo.InvariantCulture, out var count)
                    ? count : Math.Max(1, allocatable / replicas);
                // One pod more than there are physical GPUs: at least two must share one.
                if (allocatable < physical + 1) continue;
                if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } units) continue;
                // Only this node's replicas: another node's whole GPUs under the same name would prove nothing.
                units = units with { CapacityByNode = new Dictionary<string, int> { [node.Metadata.Name] = allocatable } };
                strategies.Add(new Strategy($"time-slicing of {resource} ({replicas} replicas per GPU, {physical} physical)", node.Metadata.Name, physical + 1, units, Partitioned: false));
                break;
            }
            if (strategies.Any(strategy => !strategy.Partitioned)) break;
        }
        if (strategies.Count == 0)
        {
            // No partitioning and no oversubscription: DRA still shares a device among the pods of one claim.
            lookedFor.Add("a DRA DeviceClass whose devices one ResourceClaim can share between pods");
            if (AcceleratorDetection.Detect(inventory, settings).Accelerator is { Path: AcceleratorPath.Dra } dra && dra.RoomiestNode is { } node)
                strategies.Add(new Strategy($"one ResourceClaim of {dra.DeviceClass} shared by several pods", node, 2, dra, Partitioned: false, SharedClaim: true));
        }
        return (strategies, string.Join("; ", lookedFor));
    }
}
