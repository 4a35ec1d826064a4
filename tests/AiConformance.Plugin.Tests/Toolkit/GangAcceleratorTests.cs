using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Gangs;
using k8s.Models;
using NUnit.Framework;
using static AiConformance.Plugin.Tests.Toolkit.ClusterObjects;

namespace AiConformance.Plugin.Tests.Toolkit;

/// <summary>
/// What the gang fixture decides before it sizes a group to accelerators: the units free (from allocations and pod
/// requests, the test's own not counted), whether the group can hold one each or falls back to CPU and why, and what
/// Kueue's Configuration counts a DeviceClass's devices as.
/// </summary>
public sealed class GangAcceleratorTests
{
    private const string TestNamespace = "gang-test";

    private static DetectedAccelerator DraGpus() => AcceleratorDetection.Detect(
        AcceleratorInventory.From([Node("a"), Node("b")], [NvidiaGpuClass()],
            [Slice("a", 1, 1, Device("gpu-0"), Device("gpu-1")), Slice("b", 1, 1, Device("gpu-0"), Device("gpu-1"))]),
        new AcceleratorSettings()).Found.Single();

    private static DetectedAccelerator PluginGpus() => AcceleratorDetection.Detect(
        AcceleratorInventory.From([Node("a", allocatable: new Dictionary<string, string> { ["nvidia.com/gpu"] = "4" })], [], []),
        new AcceleratorSettings()).Found.Single();

    private static Resourcev1ResourceClaim Allocated(string ns, string node, string device) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{node}-{device}", NamespaceProperty = ns },
        Status = new V1ResourceClaimStatus
        {
            Allocation = new V1AllocationResult
            {
                Devices = new V1DeviceAllocationResult
                {
                    Results = [new V1DeviceRequestAllocationResult { Driver = "gpu.nvidia.com", Pool = node, Device = device, Request = "accelerator" }],
                },
            },
        },
    };

    private static V1Pod Pod(string ns, string? node, int gpus, string phase = "Running") => new()
    {
        Metadata = new V1ObjectMeta { Name = $"pod-{Guid.NewGuid():N}", NamespaceProperty = ns },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = "c", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new($"{gpus}") } } }],
        },
        Status = new V1PodStatus { Phase = phase },
    };

    [Test]
    public void DraDevicesAllocatedToOthersAreNotFreeButTheTestsOwnAre()
    {
        var free = FreeAcceleratorUnits.Count(DraGpus(),
            [Allocated("other", "a", "gpu-0"), Allocated(TestNamespace, "b", "gpu-1"), Allocated("other", "elsewhere", "nic-0")], [], TestNamespace);

        Assert.Multiple(() =>
        {
            Assert.That(free.Total, Is.EqualTo(4));
            Assert.That(free.Units, Is.EqualTo(3), free.Described);
            Assert.That(free.Described, Does.Contain("a 1/2").And.Contain("b 2/2"));
        });
    }

    [Test]
    public void DevicePluginUnitsAreAllocatableLessWhatBoundPodsThatHaveNotEndedRequest()
    {
        var free = FreeAcceleratorUnits.Count(PluginGpus(), [],
            [Pod("other", "a", 2), Pod("other", "a", 1, phase: "Succeeded"), Pod("other", null, 1, phase: "Pending"), Pod(TestNamespace, "a", 1)], TestNamespace);

        Assert.That(free.Units, Is.EqualTo(2), free.Described);
    }

    [Test]
    public void TheGroupFallsBackToCpuWhenFewerUnitsThanMembersAreFree()
    {
        var reason = GangAccelerator.WhyCpu(new FreeAcceleratorUnits(2, 4, "two free"), members: 3, quotaResource: "whole-gpus", whyNoQuotaResource: null);

        Assert.That(reason, Does.Contain("only 2 of 4 accelerator units are free").And.Contain("3"));
    }

    [Test]
    public void TheGroupFallsBackToCpuWhenTheBackendCannotCountTheUnits()
    {
        var reason = GangAccelerator.WhyCpu(new FreeAcceleratorUnits(8, 8, "all free"), members: 3, quotaResource: null, whyNoQuotaResource: "no mapping");

        Assert.That(reason, Is.EqualTo("no mapping"));
    }

    [Test]
    public void TheGroupHoldsAcceleratorsWhenOneUnitPerMemberIsFree()
    {
        Assert.That(GangAccelerator.WhyCpu(new FreeAcceleratorUnits(3, 8, "three free"), members: 3, quotaResource: "whole-gpus", whyNoQuotaResource: null), Is.Null);
    }

    [Test]
    public void AGroupPlacedByNodeCapacityTakesTheNodeWithTheFewestFreeUnitsThatHoldsItWhole()
    {
        var free = new FreeAcceleratorUnits(13, 16, "free") { ByNode = new Dictionary<string, int> { ["a"] = 8, ["b"] = 3, ["c"] = 2, ["(any node)"] = 3 } };

        Assert.Multiple(() =>
        {
            Assert.That(GangAccelerator.NodeFor(free, members: 3), Is.EqualTo("b"), "the fewest units the test must hold itself");
            Assert.That(GangAccelerator.NodeFor(free, members: 4), Is.EqualTo("a"));
            Assert.That(GangAccelerator.NodeFor(free, members: 9), Is.Null, "no node holds nine");
        });
    }

    [Test]
    public void FreeUnitsAreCountedPerNode()
    {
        var free = FreeAcceleratorUnits.Count(PluginGpus(), [], [Pod("other", "a", 2), Pod(TestNamespace, "a", 1)], TestNamespace);

        var devices = FreeAcceleratorUnits.Count(DraGpus(), [Allocated("other", "a", "gpu-0")], [], TestNamespace);

        Assert.Multiple(() =>
        {
            Assert.That(free.On("a"), Is.EqualTo(2), free.Described);
            Assert.That(devices.On("a"), Is.EqualTo(1), devices.Described);
            Assert.That(devices.On("b"), Is.EqualTo(2), devices.Described);
            Assert.That(devices.On("elsewhere"), Is.Zero);
        });
    }

    private const string KueueConfig = """
        apiVersion: config.kueue.x-k8s.io/v1beta2
        kind: Configuration
        namespace: kueue-system
        resources:
          excludeResourcePrefixes:
          - example.com/
          deviceClassMappings:
          - name: mig-slices
            deviceClassNames:
            - mig.nvidia.com
          - name: whole-gpus
            deviceClassNames:
            - "gpu.nvidia.com"
            - gpu.example.com
        integrations:
          frameworks:
          - batch/job
        """;

    [TestCase("gpu.nvidia.com", "whole-gpus")]
    [TestCase("gpu.example.com", "whole-gpus")]
    [TestCase("mig.nvidia.com", "mig-slices")]
    [TestCase("batch/job", null)]
    [TestCase("vfio.gpu.nvidia.com", null)]
    public void KueuesConfigurationSaysWhatADeviceClassCountsAs(string deviceClass, string? resource) =>
        Assert.That(KueueConfiguration.ResourceOf(KueueConfig, deviceClass), Is.EqualTo(resource));

    [Test]
    public void InlineClassListsAreReadAndOtherConfigurationsAreNot()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KueueConfiguration.ResourceOf(
                "apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nresources:\n  deviceClassMappings:\n  - name: gpus\n    deviceClassNames: [a.example.com, gpu.nvidia.com]\n",
                "gpu.nvidia.com"), Is.EqualTo("gpus"));
            Assert.That(KueueConfiguration.ResourceOf(KueueConfig.Replace("config.kueue.x-k8s.io", "kubescheduler.config.k8s.io"), "gpu.nvidia.com"), Is.Null);
        });
    }
}
