using AiConformance.Suite.Framework;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Accelerators;

/// <summary>
/// dra_support (KAR-0051): the resource.k8s.io/v1 API is served and works end to end: drivers publish devices,
/// claims are allocated from them, the runtime gives the pod exactly the allocated device, and devices are freed.
/// </summary>
[Requirement("dra_support")]
public sealed class DraSupport
{
    private static readonly string[] DraKinds = ["deviceclasses", "resourceclaims", "resourceclaimtemplates", "resourceslices"];

    private static RunContext Run => RunContext.Current;

    [Test]
    [Description("KAR-0051 'How we might test it': all resource.k8s.io/v1 DRA API resources are enabled")]
    public async Task AllFourResourceV1KindsAreServed()
    {
        Evidence.Step("List the resources of resource.k8s.io/v1 through API discovery");
        V1APIResourceList served;
        try
        {
            served = await Run.Kubernetes.ResourceV1.GetAPIResourcesAsync(Run.Cancellation);
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            Assert.Fail("resource.k8s.io/v1 is not served by the API server (discovery answered 404); DRA needs Kubernetes 1.34 or later");
            return;
        }
        var names = served.Resources.Select(resource => resource.Name).ToList();
        Evidence.Observed("resource.k8s.io/v1 resources", string.Join(", ", names));

        Assert.Multiple(() =>
        {
            foreach (var kind in DraKinds)
            {
                var resource = served.Resources.FirstOrDefault(candidate => candidate.Name == kind);
                Assert.That(resource, Is.Not.Null, $"{kind} is not served in resource.k8s.io/v1");
                Assert.That(resource?.Verbs, Is.SupersetOf(new[] { "create", "get", "list", "watch", "delete" }), $"verbs of {kind}");
            }
        });

        Evidence.Step("Create, read and delete a ResourceClaim: discovery alone does not prove the API works");
        await using var ns = await TestNamespace.CreateAsync("dra-api");
        var created = await ns.CreateAsync(Claims.Claim("round-trip", "any-class"));
        var read = await ns.Kubernetes.ResourceV1.ReadNamespacedResourceClaimAsync("round-trip", ns.Name, cancellationToken: ns.Cancellation);
        await ns.DeleteAsync<Resourcev1ResourceClaim>("round-trip");
        var gone = await Wait.For(ns.Claims("round-trip")).Until("the deleted claim to disappear", seen => seen.Count == 0)
            .DescribedBy(Claims.Describe).Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Assert.Multiple(() =>
        {
            Assert.That(read.Metadata.Uid, Is.EqualTo(created.Metadata.Uid), "the claim read back is the one created");
            Assert.That(read.Spec.Devices.Requests.Single().Exactly.DeviceClassName, Is.EqualTo("any-class"), "the claim's spec is kept");
            // Negative control: a deleted claim is really gone.
            Assert.That(gone, Is.Empty, "claims left after deletion");
        });
    }

    [Test]
    [Description("KAR-0051, beyond the API check: DRA drivers publish ResourceSlices that describe devices with attributes and capacity")]
    public async Task PublishedSlicesDescribeDevicesWithAttributesAndCapacity()
    {
        var (accelerator, inventory) = await RequireDraAsync();
        Evidence.Step($"Inspect the devices of DeviceClass {accelerator.DeviceClass} published in ResourceSlices");
        foreach (var device in accelerator.Devices.Take(8)) Evidence.Observed("device", device.Describe());

        Assert.Multiple(() =>
        {
            Assert.That(accelerator.Devices, Is.Not.Empty, "usable devices");
            Assert.That(accelerator.Devices.Where(device => device.Attributes.Count == 0).Select(device => device.Key), Is.Empty,
                "devices without attributes (a scheduler cannot select them by property)");
            Assert.That(accelerator.Devices.Where(device => device.Capacity.Count == 0 && device.Attribute("uuid") is null).Select(device => device.Key), Is.Empty,
                "devices without capacity or identity");
            Assert.That(accelerator.Devices.Where(device => device.Node is not null && inventory.Node(device.Node) is null).Select(device => device.Key), Is.Empty,
                "devices published for nodes that do not exist");
        });
    }

    [Test]
    [Holds(Hold.AcceleratorShare)]
    [Description("KAR-0051, end to end: a pod's ResourceClaimTemplate yields a claim allocated from a published device, reserved for the pod, and the container sees exactly that device")]
    public async Task ClaimIsAllocatedFromAPublishedSliceAndItsPodSeesExactlyThatDevice()
    {
        var (accelerator, inventory) = await RequireDraAsync();
        await using var ns = await TestNamespace.CreateAsync("dra-claim");
        await using var lease = new AcceleratorLease(ns, accelerator);

        Evidence.Step($"Run a probe pod with a ResourceClaimTemplate for one device of {accelerator.DeviceClass}");
        var pod = await lease.StartProbeAsync("probe");
        var running = (await ns.WaitForRunningAsync("probe")).Single();
        var claim = await GeneratedClaimAsync(ns);
        var resolved = AllocationChecks.Resolve(claim.Allocated(), inventory);
        var report = await ns.ReadProbeAsync("probe");
        Evidence.Observed("claim", claim.Describe());
        Evidence.Observed("probe view", AllocationChecks.Describe(report));

        Assert.Multiple(() =>
        {
            Assert.That(resolved, Has.Count.EqualTo(1), "devices allocated for a request of one");
            Assert.That(resolved.Where(entry => entry.Device is null).Select(entry => $"{entry.Result.Driver}/{entry.Result.Pool}/{entry.Result.Device}"),
                Is.Empty, "allocated devices that no usable ResourceSlice publishes");
            Assert.That(claim.ReservedFor().Select(consumer => consumer.Uid), Does.Contain(pod.Metadata.Uid), "the claim is reserved for its pod");
            Assert.That(resolved.Select(entry => entry.Device?.Node), Is.All.EqualTo(running.Spec.NodeName), "the device is on the pod's node");
            // Negative control: nothing beyond the allocated device is visible.
            Assert.That(AllocationChecks.SeesExactly(report, [.. resolved.Select(entry => entry.Device).OfType<PublishedDevice>()]), Is.True,
                $"the container must see exactly the allocated device ({string.Join(", ", resolved.Select(entry => entry.Device?.Key))}); it saw {AllocationChecks.Seen(report)}");
        });
    }

    [Test]
    [Description("KAR-0051, negative case: a claim asking for more devices than any node has is not allocated and its pod stays Pending")]
    public async Task ClaimForMoreDevicesThanExistLeavesItsPodPendingAndUnallocated()
    {
        var (accelerator, _) = await RequireDraAsync();
        await using var ns = await TestNamespace.CreateAsync("dra-toomany");
        await using var lease = new AcceleratorLease(ns, accelerator);
        var tooMany = accelerator.CapacityByNode.Values.DefaultIfEmpty(accelerator.Devices.Count).Max() + 1;

        Evidence.Step($"Run a probe pod whose claim asks for {tooMany} devices of {accelerator.DeviceClass}; the largest node has {tooMany - 1}");
        await lease.StartProbeAsync("greedy", tooMany);
        await ns.StaysPendingAsync("greedy", PendingObservation(ns));
        var claims = (await ns.Kubernetes.ResourceV1.ListNamespacedResourceClaimAsync(ns.Name, cancellationToken: ns.Cancellation)).Items;
        Evidence.Observed("claims", Claims.Describe([.. claims]));

        Assert.That(claims.Where(claim => claim.IsAllocated()).Select(claim => claim.Describe()), Is.Empty,
            "no claim may be allocated when the request cannot be satisfied");
    }

    [Test]
    [Holds(Hold.AcceleratorShare)]
    [Description("KAR-0051, sharing through the API: one ResourceClaim referenced by two pods gives both the same device, and is deallocated when neither uses it")]
    public async Task OneClaimSharedByTwoPodsGivesBothTheSameDeviceUntilBothAreGone()
    {
        var (accelerator, inventory) = await RequireDraAsync();
        await using var ns = await TestNamespace.CreateAsync("dra-shared");
        await using var lease = new AcceleratorLease(ns, accelerator);

        Evidence.Step($"Create one ResourceClaim for a device of {accelerator.DeviceClass} and two probe pods that reference it");
        await lease.CreateClaimAsync(Claims.Claim("shared", accelerator.DeviceClass!));
        foreach (var name in new[] { "first", "second" })
        {
            await lease.StartAsync(lease.Base(name) with
            {
                Claims = [ProbePod.FromClaim(Claims.RequestName, "shared")],
                Containers = [new ProbeContainer { Claims = [Claims.RequestName] }],
            }, devices: 1);
        }
        var pods = await ns.WaitForRunningAsync("first", "second");
        var claim = (await Wait.For(ns.Claims("shared"))
            .Until("claim shared to be reserved for both pods", seen => seen.Count == 1 && seen[0].ReservedFor().Count >= 2)
            .DescribedBy(Claims.Describe).Within(ns.Timeouts.PodRunning).Async(ns.Cancellation)).Single();
        var devices = AllocationChecks.Resolve(claim.Allocated(), inventory).Select(entry => entry.Device).OfType<PublishedDevice>().ToList();
        var first = await ns.ReadProbeAsync("first");
        var second = await ns.ReadProbeAsync("second");
        Evidence.Observed("claim", claim.Describe());

        Assert.Multiple(() =>
        {
            Assert.That(claim.ReservedFor().Select(consumer => consumer.Uid), Is.SupersetOf(pods.Select(pod => pod.Metadata.Uid)), "reserved for both pods");
            Assert.That(devices, Has.Count.EqualTo(1), "the shared claim's device");
            Assert.That(AllocationChecks.SeesExactly(first, devices), Is.True, $"first pod sees the shared device; it saw {AllocationChecks.Seen(first)}");
            Assert.That(AllocationChecks.SeesExactly(second, devices), Is.True, $"second pod sees the shared device; it saw {AllocationChecks.Seen(second)}");
        });

        Evidence.Step("Delete both pods: a claim nobody uses any more must be deallocated");
        await ns.DeleteAsync<V1Pod>("first", gracePeriodSeconds: 0);
        await ns.DeleteAsync<V1Pod>("second", gracePeriodSeconds: 0);
        var released = await Wait.For(ns.Claims("shared"))
            .Until("claim shared to be deallocated after both its pods were deleted",
                seen => seen.Count == 1 && !seen[0].IsAllocated() && seen[0].ReservedFor().Count == 0)
            .DescribedBy(Claims.Describe).Within(ns.Timeouts.DevicesReleased).Async(ns.Cancellation);
        Evidence.Observed("claim after its pods were deleted", released.Single().Describe());
    }

    [Test]
    [Holds(Hold.AllAccelerators)] // every device of a node, which must all be free again for the second pod
    [Description("KAR-0051, lifecycle: after its pod is deleted the claim is deallocated, and its device can be allocated again")]
    public async Task DeletedPodsClaimIsDeallocatedAndItsDevicesCanBeAllocatedAgain()
    {
        var (accelerator, _) = await RequireDraAsync();
        var node = accelerator.RoomiestNode!;
        var all = accelerator.CapacityByNode[node];
        await using var ns = await TestNamespace.CreateAsync("dra-reuse");

        await using (var lease = new AcceleratorLease(ns, accelerator))
        {
            Evidence.Step($"Run a probe pod holding all {all} devices of {accelerator.DeviceClass} on {node}");
            await lease.StartProbeAsync("holder", all, node);
            await ns.WaitForRunningAsync("holder");
            Evidence.Observed("claim while running", (await GeneratedClaimAsync(ns)).Describe());
            Evidence.Step("Delete the pod and wait for its claim to be deallocated");
            await lease.ReleaseAsync();
        }

        await using var again = new AcceleratorLease(ns, accelerator);
        Evidence.Step($"Run a second pod asking again for all {all} devices on {node}: it can only start if every one was freed");
        await again.StartProbeAsync("reuser", all, node);
        await ns.WaitForRunningAsync("reuser");
        var claim = await GeneratedClaimAsync(ns);
        Evidence.Observed("claim of the second pod", claim.Describe());
        Assert.That(claim.Allocated(), Has.Count.EqualTo(all), "devices allocated to the second pod");
        await again.ReleaseAsync();
    }

    /// <summary>DRA with a usable device is the requirement itself: its absence fails, it does not need attestation.</summary>
    private static async Task<(DetectedAccelerator Accelerator, AcceleratorInventory Inventory)> RequireDraAsync()
    {
        var settings = AcceleratorSettings.From(Run.Configuration);
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        if (!inventory.DraServed) Assert.Fail("resource.k8s.io/v1 is not served, so no claim can be allocated");
        var classes = settings.DeviceClass is { } configured
            ? inventory.DeviceClasses.Where(deviceClass => deviceClass.Name == configured)
            : AcceleratorDetection.AcceleratorClasses(inventory).OrderByDescending(deviceClass => inventory.DevicesOf(deviceClass).Count);
        var accelerator = classes.Select(deviceClass => AcceleratorDetection.FromClass(deviceClass, inventory, settings, settings.DeviceClass is null ? "detected" : "configured"))
            .FirstOrDefault(candidate => candidate is not null);
        if (accelerator is null)
            Assert.Fail($"no DeviceClass selects an accelerator that a DRA driver publishes in a ResourceSlice and that can be allocated " +
                        $"({inventory.DeviceClasses.Count} DeviceClasses, {inventory.Devices.Count} usable devices" +
                        $"{(inventory.Notes.Count > 0 ? "; " + string.Join("; ", inventory.Notes) : "")}); is a DRA driver installed?");
        Evidence.Observed("accelerator", accelerator!.Summary);
        return (accelerator, inventory);
    }

    private static async Task<Resourcev1ResourceClaim> GeneratedClaimAsync(TestNamespace ns) =>
        (await Wait.For(ns.Claims()).Until("the pod's claim to be created and allocated", seen => seen.Count(claim => claim.IsAllocated()) == 1)
            .DescribedBy(Claims.Describe).Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation))
        .Single(claim => claim.IsAllocated());

    /// <summary>How long an unsatisfiable pod is watched to stay Pending: long enough for a scheduler to have tried.</summary>
    internal static TimeSpan PendingObservation(TestNamespace ns) => ns.Timeouts.PodScheduled / 12;
}
