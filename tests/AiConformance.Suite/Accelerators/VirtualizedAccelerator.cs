using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using k8s;
using NUnit.Framework;

namespace AiConformance.Suite.Accelerators;

/// <summary>
/// virtualized_accelerator (KAR-0004): virtual accelerators (vGPU, VFIO passthrough) are exposed and managed through
/// the same mechanisms as physical ones: requested, allocated, isolated and usable.
/// </summary>
[Requirement("virtualized_accelerator")]
[Holds(Hold.AcceleratorShare)]
public sealed class VirtualizedAccelerator
{
    private const string VfioPassthrough = "VFIO passthrough";
    private static readonly string[] VirtualWords = ["vfio", "vgpu"];

    private static RunContext Run => RunContext.Current;

    [Test]
    [Description("KAR-0004: a pod requesting a vGPU or VFIO device runs on a node that has one, and its container finds the device healthy; a pod that asks for none finds none")]
    public async Task VirtualAcceleratorIsAllocatedAndHealthyInsideThePod()
    {
        var settings = AcceleratorSettings.From(Run.Configuration);
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        var (virtualAccelerator, kind, lookedFor) = Detect(inventory, settings);
        if (virtualAccelerator is null)
            Outcome.NeedsAttestation($"no virtualized accelerator found: {lookedFor}. A person must attest how vGPU or passthrough devices are exposed, or that the accelerator has none");
        Evidence.Observed("virtualized accelerator", $"{kind}: {virtualAccelerator!.Summary}");
        var node = virtualAccelerator.RoomiestNode!;

        await using var ns = await TestNamespace.CreateAsync("virtual");
        await using var lease = new AcceleratorLease(ns, virtualAccelerator);
        Evidence.Step($"Run a probe pod on {node} requesting one {kind}, and a control pod there requesting nothing");
        await lease.StartProbeAsync("guest", node: node);
        await ns.CreateAsync(lease.Base("control", node).Build());
        await ns.WaitForRunningAsync("guest", "control");
        var guest = await ns.ReadProbeAsync("guest");
        var control = await ns.ReadProbeAsync("control");
        Evidence.Observed("guest view", AllocationChecks.Describe(guest));

        var groups = IommuGroups.Seen(guest);
        Assert.Multiple(() =>
        {
            Assert.That(guest.Accelerators, Has.Count.EqualTo(1), $"the pod sees the one device it asked for; it saw {AllocationChecks.Seen(guest)}");
            if (kind == VfioPassthrough)
                Assert.That(groups, Has.Count.EqualTo(1), "a VFIO group device file (/dev/vfio/N)");
            if (guest.NvidiaSmi is { } smi)
                Assert.That(smi.Error, Is.Null, "nvidia-smi inside the pod reports an error (the device is not healthy)");
            Assert.That(AllocationChecks.SeesNone(control), Is.True, $"control pod that asked for nothing sees nothing; {AllocationChecks.Describe(control)}");
        });
        if (virtualAccelerator.Path != AcceleratorPath.Dra) return;
        var claims = (await ns.Kubernetes.ResourceV1.ListNamespacedResourceClaimAsync(ns.Name, cancellationToken: ns.Cancellation)).Items;
        var devices = claims.SelectMany(claim => AllocationChecks.Resolve(claim.Allocated(), inventory)).Select(entry => entry.Device).OfType<PublishedDevice>().ToList();
        Evidence.Observed("allocated", string.Join(", ", devices.Select(device => device.Describe())));
        Assert.That(devices, Has.Count.EqualTo(1), "one published virtual device allocated to the pod's claim");
        if (kind == VfioPassthrough) AssertTheGroupIsTheAllocatedDevices(devices[0], groups[0], guest);
    }

    /// <summary>
    /// The group the runtime bound into the container must be the allocated device's, else the pod drives another
    /// device than the one the scheduler gave it.
    /// </summary>
    private static void AssertTheGroupIsTheAllocatedDevices(PublishedDevice device, string seen, ProbeReport guest)
    {
        var published = IommuGroups.Of(device);
        var verdict = published is null ? null : IommuGroups.IsTheDevicesGroup(seen, published, guest);
        Evidence.Observed("VFIO group", $"/dev/vfio/{seen} holds [{string.Join(", ", guest.VfioGroups.GetValueOrDefault(seen) ?? [])}]; " +
                                        $"{device.Key} publishes {published?.Describe() ?? "neither an IOMMU group nor a PCI address"}");
        if (verdict is null)
            Outcome.NeedsAttestation(published is null
                ? $"{device.Key} publishes neither an IOMMU group nor a PCI address, so /dev/vfio/{seen} cannot be tied to it; a person must attest that pods get the allocated device"
                : $"the container cannot read which devices IOMMU group {seen} holds (/sys/kernel/iommu_groups/{seen}/devices), so /dev/vfio/{seen} cannot be tied to {device.Key}'s {published.Describe()}");
        Assert.That(verdict, Is.True, $"the container's VFIO group /dev/vfio/{seen} is not the allocated device's ({device.Key}, {published!.Describe()})");
    }

    private static (DetectedAccelerator? Accelerator, string Kind, string LookedFor) Detect(AcceleratorInventory inventory, AcceleratorSettings settings)
    {
        foreach (var deviceClass in inventory.DeviceClasses)
        {
            var devices = inventory.DevicesOf(deviceClass);
            var type = devices.Select(device => device.Text("type")).FirstOrDefault(text => text is "vfio" or "vgpu");
            var named = VirtualWords.FirstOrDefault(word => deviceClass.Name.Contains(word, StringComparison.OrdinalIgnoreCase));
            if (type is null && named is null) continue;
            if (AcceleratorDetection.FromClass(deviceClass, inventory, settings, "detected") is { } found)
                return (found, (type ?? named) == "vfio" ? VfioPassthrough : "vGPU", "");
        }
        foreach (var resource in inventory.ExtendedResources.Where(name => VirtualWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase))))
        {
            if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is { } found)
                return (found, resource.Contains("vfio", StringComparison.OrdinalIgnoreCase) ? VfioPassthrough : "vGPU", "");
        }
        // A vGPU guest: the node's GPU is a GRID/vGPU profile, exposed by the ordinary device plugin.
        var guests = inventory.ReadyNodes.Where(node => node.Metadata.Labels?.TryGetValue("nvidia.com/gpu.product", out var product) == true &&
                                                        (product.Contains("GRID", StringComparison.OrdinalIgnoreCase) || product.Contains("vGPU", StringComparison.OrdinalIgnoreCase)))
            .Select(node => node.Metadata.Name).ToHashSet();
        if (guests.Count > 0 && AcceleratorDetection.FromExtendedResource("nvidia.com/gpu", inventory, settings, "detected") is { } plugin && plugin.Nodes.Any(guests.Contains))
        {
            return (plugin with { CapacityByNode = plugin.CapacityByNode.Where(entry => guests.Contains(entry.Key)).ToDictionary() }, "vGPU", "");
        }
        return (null, "", "DeviceClasses of vfio/vgpu devices, extended resources naming vfio or vgpu, nodes whose nvidia.com/gpu.product is a GRID/vGPU profile");
    }
}
