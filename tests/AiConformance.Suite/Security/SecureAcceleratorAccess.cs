using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Suite.Security;

/// <summary>
/// secure_accelerator_access (KAR-0049): a container reaches an accelerator only through the resource management
/// framework (DRA or a device plugin) and only the one it was given.
/// </summary>
[Requirement("secure_accelerator_access")]
public sealed class SecureAcceleratorAccess
{
    [Test]
    [Description("KAR-0049, the positive case the isolation steps rely on: a pod that requests an accelerator sees exactly the one it was given")]
    public async Task PodThatRequestsAnAcceleratorSeesExactlyOne()
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        await using var ns = await TestNamespace.CreateAsync("access");
        await using var lease = new AcceleratorLease(ns, accelerator);

        Evidence.Step("Run a probe pod requesting one accelerator");
        await lease.StartProbeAsync("holder");
        await ns.WaitForRunningAsync("holder");
        var report = await ns.ReadProbeAsync("holder");
        var allocated = await AllocatedDevicesAsync(ns, accelerator, "holder");

        Assert.Multiple(() =>
        {
            Assert.That(report.Accelerators, Has.Count.EqualTo(1), $"accelerators visible to a pod given one; it saw {AllocationChecks.Seen(report)}");
            if (allocated is not null)
                Assert.That(AllocationChecks.SeesExactly(report, allocated), Is.True,
                    $"the visible accelerator is the allocated {string.Join(", ", allocated.Select(device => device.Key))}; it saw {AllocationChecks.Seen(report)}");
        });
    }

    [Test]
    [Description("KAR-0049 step 1: a pod on a node with accelerators, without requesting any, finds no accelerator device")]
    public async Task PodWithoutARequestOnAnAcceleratorNodeSeesNoAccelerator() =>
        await AssertUnrequestedPodSeesNothing("bystander", new Dictionary<string, string>());

    [Test]
    [Description("KAR-0049 step 1, with the runtimes' own switches: NVIDIA_VISIBLE_DEVICES=all (and AMD's and Habana's) in a pod that requested nothing exposes nothing")]
    public async Task PodAskingTheRuntimeForAllDevicesThroughItsEnvironmentSeesNone() =>
        await AssertUnrequestedPodSeesNothing("sneaky", new Dictionary<string, string>
        {
            ["NVIDIA_VISIBLE_DEVICES"] = "all",
            ["NVIDIA_DRIVER_CAPABILITIES"] = "all",
            ["AMD_VISIBLE_DEVICES"] = "all",
            ["HABANA_VISIBLE_DEVICES"] = "all",
        });

    [Test]
    [Description("KAR-0049 step 2: two pods with one accelerator each get different devices, and neither can see the other's")]
    public async Task TwoPodsWithOneAcceleratorEachSeeDifferentDevices()
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        var units = NodeUnits.Of(accelerator, await AcceleratorInventory.ReadAsync(RunContext.Current));
        foreach (var node in units) Evidence.Observed("units", node.Describe());
        if (NodeUnits.PlaceTwoApart(units) is not ({ } nodeA, { } nodeB))
        {
            Outcome.NeedsAttestation(units.Sum(node => node.Units) < 2
                ? $"the cluster offers one accelerator ({accelerator.Summary}); isolation between two pods needs two"
                : $"every unit of {accelerator.Summary} is a share of one physical device, as configured ({string.Join("; ", units.Select(node => node.Describe()))}); " +
                  "two pods given one unit each share that device by design, so isolation between pods needs a second physical device " +
                  "(a whole GPU, MIG slice or VFIO device, or shared units on another node)");
            return;
        }
        await using var ns = await TestNamespace.CreateAsync("isolation");
        await using var lease = new AcceleratorLease(ns, accelerator);

        // One node when it has two isolated units: that is where a leak between pods would happen.
        Evidence.Step(nodeA == nodeB
            ? $"Run two probe pods with one accelerator each on {nodeA.Node}"
            : $"Run two probe pods with one accelerator each, tenant-a on {nodeA.Node} and tenant-b on {nodeB.Node}: {(nodeA.Shared || nodeB.Shared ? "units shared by design must come from different physical devices" : "no node has two")}");
        await lease.StartProbeAsync("tenant-a", node: nodeA.Node);
        await lease.StartProbeAsync("tenant-b", node: nodeB.Node);
        await ns.WaitForRunningAsync("tenant-a", "tenant-b");
        var a = await ns.ReadProbeAsync("tenant-a");
        var b = await ns.ReadProbeAsync("tenant-b");
        var physicalA = a.Accelerators.Select(seen => seen.PhysicalId ?? seen.Id).ToList();
        var physicalB = b.Accelerators.Select(seen => seen.PhysicalId ?? seen.Id).ToList();
        // Each given one share of the same physical device: sharing as configured, not a leak, but not isolation either.
        if (nodeA == nodeB && nodeA.Shared && physicalA.Count == 1 && physicalB.Count == 1 && string.Equals(physicalA[0], physicalB[0], StringComparison.OrdinalIgnoreCase))
            Outcome.NeedsAttestation($"both pods were given shares of the same physical device {physicalA[0]} on {nodeA.Node} ({nodeA.SharedBecause}), " +
                                     "which the sharing the administrator configured allows; isolation between pods could not be shown");
        var allocatedA = await AllocatedDevicesAsync(ns, accelerator, "tenant-a");
        var allocatedB = await AllocatedDevicesAsync(ns, accelerator, "tenant-b");
        // Device names are node-local (the DRA example driver's gpu-0 exists on every node): compare them with their node.
        var idsA = a.Accelerators.Select(seen => $"{nodeA.Node}/{seen.Id}").ToList();
        var idsB = b.Accelerators.Select(seen => $"{nodeB.Node}/{seen.Id}").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(idsA, Has.Count.EqualTo(1), $"tenant-a sees its one accelerator; it saw {AllocationChecks.Seen(a)}");
            Assert.That(idsB, Has.Count.EqualTo(1), $"tenant-b sees its one accelerator; it saw {AllocationChecks.Seen(b)}");
            Assert.That(idsA.Intersect(idsB, StringComparer.OrdinalIgnoreCase), Is.Empty, "an accelerator both tenants can see");
            if (allocatedA is not null && allocatedB is not null)
            {
                Assert.That(allocatedA.Select(device => device.Key).Intersect(allocatedB.Select(device => device.Key)), Is.Empty,
                    "a device allocated to both tenants");
                Assert.That(allocatedB.Any(device => device.Node == nodeA.Node && a.Accelerators.Any(device.IsSeenAs)), Is.False, "tenant-a sees tenant-b's device");
                Assert.That(allocatedA.Any(device => device.Node == nodeB.Node && b.Accelerators.Any(device.IsSeenAs)), Is.False, "tenant-b sees tenant-a's device");
            }
        });
    }

    [Test]
    [Description("KAR-0049 step 2, inside one pod: when only the first container holds the accelerator, the second container sees none")]
    public async Task SecondContainerWithoutTheClaimSeesNoAccelerator()
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        await using var ns = await TestNamespace.CreateAsync("containers");
        await using var lease = new AcceleratorLease(ns, accelerator);

        Evidence.Step("Run one pod with two probe containers; only `holder` requests the accelerator");
        await lease.StartProbeAsync("pair", shape: pod => pod with
        {
            Containers = [pod.Containers[0] with { Name = "holder" }, new ProbeContainer { Name = "neighbour" }],
        });
        await ns.WaitForRunningAsync("pair");
        var holder = await ns.ReadProbeAsync("pair", "holder");
        var neighbour = await ns.ReadProbeAsync("pair", "neighbour");

        Assert.Multiple(() =>
        {
            Assert.That(holder.Accelerators, Has.Count.EqualTo(1), $"the container that holds the accelerator sees it; it saw {AllocationChecks.Seen(holder)}");
            Assert.That(AllocationChecks.SeesNone(neighbour), Is.True, $"the other container must see nothing; {AllocationChecks.Describe(neighbour)}");
        });
    }

    /// <summary>
    /// A pod pinned to an accelerator node, requesting nothing, must see nothing; a pod on the same node that requests
    /// one is the control that shows the probe would have seen a device there.
    /// </summary>
    private static async Task AssertUnrequestedPodSeesNothing(string name, IReadOnlyDictionary<string, string> environment)
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        var node = accelerator.RoomiestNode!;
        await using var ns = await TestNamespace.CreateAsync("unrequested");
        await using var lease = new AcceleratorLease(ns, accelerator);

        Evidence.Step($"Run a probe pod on {node} that requests no accelerator" +
                      (environment.Count == 0 ? "" : $", with {string.Join(", ", environment.Select(variable => $"{variable.Key}={variable.Value}"))}"));
        await ns.CreateAsync((lease.Base(name, node) with { Containers = [new ProbeContainer { Environment = environment }] }).Build());
        Evidence.Step($"Control: run a probe pod on {node} that requests one");
        await lease.StartProbeAsync("control", node: node);
        await ns.WaitForRunningAsync(name, "control");
        var unrequested = await ns.ReadProbeAsync(name);
        var control = await ns.ReadProbeAsync("control");

        Assert.Multiple(() =>
        {
            Assert.That(control.Accelerators, Has.Count.EqualTo(1),
                $"control: a pod that requests one accelerator on {node} sees it (else this node proves nothing); it saw {AllocationChecks.Seen(control)}");
            Assert.That(AllocationChecks.SeesNone(unrequested), Is.True, $"a pod that requested nothing must see no accelerator; {AllocationChecks.Describe(unrequested)}");
        });
    }

    /// <summary>DRA: the devices allocated to the pod's claims; device plugins: null (the API does not say which device).</summary>
    private static async Task<IReadOnlyList<PublishedDevice>?> AllocatedDevicesAsync(TestNamespace ns, DetectedAccelerator accelerator, string pod)
    {
        if (accelerator.Path != AcceleratorPath.Dra) return null;
        var claims = await Wait.For(ns.Claims())
            .Until($"the claim of {pod} to be allocated", seen => seen.Any(claim => IsFor(claim, pod) && claim.IsAllocated()))
            .DescribedBy(Claims.Describe).Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation);
        var mine = claims.Where(claim => IsFor(claim, pod)).ToList();
        foreach (var claim in mine) Evidence.Observed($"claim of {pod}", claim.Describe());
        var results = mine.SelectMany(claim => claim.Allocated()).ToList();
        return [.. results.Select(result => accelerator.Devices.FirstOrDefault(device =>
                device.Driver == result.Driver && device.Pool == result.Pool && device.Name == result.Device)
            ?? new PublishedDevice(result.Driver, result.Pool, result.Device, null, new Dictionary<string, k8s.Models.V1DeviceAttribute>(), new Dictionary<string, k8s.Models.V1DeviceCapacity>()))];
    }

    private static bool IsFor(k8s.Models.Resourcev1ResourceClaim claim, string pod) =>
        claim.ReservedFor().Any(consumer => consumer.Name == pod) ||
        claim.Metadata.OwnerReferences?.Any(owner => owner.Kind == "Pod" && owner.Name == pod) == true;
}
