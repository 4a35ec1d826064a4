using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using k8s.Models;
using NUnit.Framework;
using static AiConformance.Plugin.Tests.Toolkit.ClusterObjects;

namespace AiConformance.Plugin.Tests.Toolkit;

/// <summary>
/// What the accelerator fixtures decide from what a cluster publishes: whether units are shared by design and where
/// two pods get different physical devices, every kind of accelerator a node publishes, and which VFIO group is the
/// allocated device's.
/// </summary>
public sealed class AcceleratorUnitsTests
{
    private static readonly AcceleratorSettings Defaults = new();

    private static readonly Dictionary<string, string> TimeSlicedL4 = new()
    {
        ["nvidia.com/gpu.count"] = "1",
        ["nvidia.com/gpu.replicas"] = "4",
        ["nvidia.com/gpu.sharing-strategy"] = "time-slicing",
        ["nvidia.com/gpu.product"] = "NVIDIA-L4-SHARED",
    };

    private static IReadOnlyList<NodeUnits> UnitsOf(params V1Node[] nodes)
    {
        var inventory = AcceleratorInventory.From(nodes, [], []);
        return NodeUnits.Of(AcceleratorDetection.Detect(inventory, Defaults).Found.Single(), inventory);
    }

    private static V1Node GpuNode(string name, int gpus, IDictionary<string, string>? labels = null, string resource = "nvidia.com/gpu") =>
        Node(name, allocatable: new Dictionary<string, string> { [resource] = $"{gpus}" }, labels: labels);

    [Test]
    public void TimeSlicedReplicasAreSharedUnitsOfTheirPhysicalGpus()
    {
        var units = UnitsOf(GpuNode("l4", 4, TimeSlicedL4), GpuNode("h100", 8, new Dictionary<string, string> { ["nvidia.com/gpu.replicas"] = "1" }));

        Assert.Multiple(() =>
        {
            var l4 = units.Single(node => node.Node == "l4");
            Assert.That((l4.Units, l4.PhysicalDevices, l4.Shared), Is.EqualTo((4, 1, true)));
            Assert.That(l4.SharedBecause, Does.Contain("4 replicas").And.Contain("time-slicing").And.Contain("-SHARED"));
            var h100 = units.Single(node => node.Node == "h100");
            Assert.That((h100.Units, h100.PhysicalDevices, h100.Shared), Is.EqualTo((8, 8, false)), "one replica per GPU is no sharing");
        });
    }

    [Test]
    public void WithoutACountLabelThePhysicalGpusAreTheReplicasDividedByTheirNumber()
    {
        var units = UnitsOf(GpuNode("l4x2", 8, new Dictionary<string, string> { ["nvidia.com/gpu.replicas"] = "4" }));

        Assert.That(units.Single().PhysicalDevices, Is.EqualTo(2));
    }

    [Test]
    public void TwoPodsGoToOneNodeWithTwoIsolatedUnitsBeforeAnyOther()
    {
        var placed = NodeUnits.PlaceTwoApart([new("l4", 4, 1, "replicas"), new("a", 1, 1, null), new("h100", 8, 8, null)]);

        Assert.That(placed, Is.Not.Null);
        Assert.That((placed!.Value.A.Node, placed.Value.B.Node), Is.EqualTo(("h100", "h100")));
    }

    [Test]
    public void SharedUnitsOfSinglePhysicalGpusPlaceTwoPodsOnTwoNodes()
    {
        var placed = NodeUnits.PlaceTwoApart([new("l4-0", 4, 1, "replicas"), new("l4-1", 4, 1, "replicas")]);

        Assert.That(placed, Is.Not.Null);
        Assert.That(placed!.Value.A.Node, Is.Not.EqualTo(placed.Value.B.Node), "replicas of one L4 would share it by design");
    }

    [Test]
    public void ASingleSharedPhysicalGpuCannotShowIsolationButTwoBehindOneNodeMay()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NodeUnits.PlaceTwoApart([new("l4", 4, 1, "replicas")]), Is.Null, "one physical GPU: no placement proves isolation");
            Assert.That(NodeUnits.PlaceTwoApart([new("l4", 1, 1, null)]), Is.Null, "one unit");
            var several = NodeUnits.PlaceTwoApart([new("l4x2", 8, 2, "replicas")]);
            Assert.That((several?.A.Node, several?.B.Node), Is.EqualTo(("l4x2", "l4x2")), "two physical GPUs behind one node's replicas");
        });
    }

    [Test]
    public void EveryKindANodePublishesIsFoundDraClassesDriversWithoutClassAndDevicePluginResources()
    {
        var inventory = AcceleratorInventory.From(
            [GpuNode("gpu", 0), GpuNode("mig", 0), GpuNode("vfio", 0), GpuNode("l4", 4, TimeSlicedL4), Node("mig-plugin", allocatable: new Dictionary<string, string> { ["nvidia.com/mig-1g.10gb"] = "7" })],
            [NvidiaGpuClass(), NvidiaMigClass(), Class("vfio.gpu.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'vfio'"),
             Class("all.nvidia.com", "device.driver == 'gpu.nvidia.com'")],
            [Slice("gpu", 1, 1, Device("gpu-0"), Device("gpu-1")), Slice("mig", 1, 1, Device("gpu-0-mig-0", "mig")),
             Slice("vfio", 1, 1, Device("gpu-vfio-0", "vfio")), Slice("l4", 1, 1, Device("other-0", "fpga"))]);

        var kinds = AcceleratorKind.All(inventory, Defaults);

        Assert.Multiple(() =>
        {
            Assert.That(kinds.Select(kind => kind.Name), Is.EquivalentTo(new[]
            {
                "DRA DeviceClass gpu.nvidia.com", "DRA DeviceClass mig.nvidia.com", "DRA DeviceClass vfio.gpu.nvidia.com",
                "DRA DeviceClass all.nvidia.com", "device-plugin resource nvidia.com/gpu", "device-plugin resource nvidia.com/mig-1g.10gb",
            }), "a class counts when it covers devices no narrower class did (here the fpga only all.nvidia.com selects)");
            Assert.That(kinds.Where(kind => kind.Passthrough).Select(kind => kind.Name), Is.EqualTo(new[] { "DRA DeviceClass vfio.gpu.nvidia.com" }));
            Assert.That(kinds.Single(kind => kind.Name == "DRA DeviceClass mig.nvidia.com").Nodes, Is.EqualTo(new[] { "mig" }));
            Assert.That(kinds.Single(kind => kind.Name == "device-plugin resource nvidia.com/gpu").Nodes, Is.EqualTo(new[] { "l4" }));
        });
    }

    [Test]
    public void DevicesNoClassSelectsAreAKindOfTheirDriverThatNoPodCanRequest()
    {
        var inventory = AcceleratorInventory.From([Node("gpu")], [NvidiaGpuClass()], [Slice("gpu", 1, 1, Device("gpu-0"), Device("gpu-0-mig-0", "mig"))]);

        var unrequestable = AcceleratorKind.All(inventory, Defaults).Single(kind => kind.Requestable is null);

        Assert.That((unrequestable.Name, unrequestable.Devices.Single().Name), Is.EqualTo(("DRA driver gpu.nvidia.com (devices no DeviceClass selects)", "gpu-0-mig-0")));
    }

    [Test]
    public void NetworkDevicesOfAnotherDraDriverAreNotAnAcceleratorKind()
    {
        var nic = new V1ResourceSlice
        {
            Metadata = new V1ObjectMeta { Name = "gpu-dra.net" },
            Spec = new V1ResourceSliceSpec
            {
                Driver = "dra.net",
                NodeName = "gpu",
                Pool = new V1ResourcePool { Name = "gpu", Generation = 1, ResourceSliceCount = 1 },
                Devices = [new V1Device { Name = "eth1", Attributes = new Dictionary<string, V1DeviceAttribute> { ["dra.net/ifName"] = new() { StringValue = "eth1" } } }],
            },
        };
        var inventory = AcceleratorInventory.From([Node("gpu")], [NvidiaGpuClass(), Class("dranet", "device.driver == 'dra.net'")], [nic, Slice("gpu", 1, 1, Device("gpu-0"))]);

        Assert.That(AcceleratorKind.All(inventory, Defaults).Select(kind => kind.Name), Is.EqualTo(new[] { "DRA DeviceClass gpu.nvidia.com" }));
    }

    [Test]
    public void TheVfioGroupIsTheDevicesByItsPublishedGroupOrByThePciAddressSysfsPutsInIt()
    {
        var byAddress = Published(new Dictionary<string, V1DeviceAttribute> { ["resource.kubernetes.io/pciBusID"] = new() { StringValue = "0000:18:00.0" } });
        var byNvidiaAddress = Published(new Dictionary<string, V1DeviceAttribute> { ["pcieBusID"] = new() { StringValue = "00000000:18:00.0" } });
        var byGroup = Published(new Dictionary<string, V1DeviceAttribute> { ["iommuGroup"] = new() { IntValue = 40 } });
        var sysfs = new ProbeReport { VfioGroups = new Dictionary<string, IReadOnlyList<string>> { ["40"] = ["0000:18:00.0"], ["41"] = ["0000:28:00.0"], ["42"] = [] } };

        Assert.Multiple(() =>
        {
            Assert.That(IommuGroups.IsTheDevicesGroup("40", IommuGroups.Of(byAddress)!, sysfs), Is.True);
            Assert.That(IommuGroups.IsTheDevicesGroup("41", IommuGroups.Of(byAddress)!, sysfs), Is.False, "another device's group");
            Assert.That(IommuGroups.IsTheDevicesGroup("40", IommuGroups.Of(byNvidiaAddress)!, sysfs), Is.True, "nvidia-smi's 8-digit domain is the same address");
            Assert.That(IommuGroups.IsTheDevicesGroup("42", IommuGroups.Of(byAddress)!, sysfs), Is.Null, "sysfs does not say: undecidable");
            Assert.That(IommuGroups.IsTheDevicesGroup("40", IommuGroups.Of(byGroup)!, sysfs), Is.True);
            Assert.That(IommuGroups.IsTheDevicesGroup("41", IommuGroups.Of(byGroup)!, sysfs), Is.False);
            Assert.That(IommuGroups.Of(Published(new Dictionary<string, V1DeviceAttribute>())), Is.Null, "neither group nor address");
        });
    }

    private static PublishedDevice Published(Dictionary<string, V1DeviceAttribute> attributes) =>
        new("gpu.nvidia.com", "vfio", "gpu-vfio-0", "vfio", attributes, new Dictionary<string, V1DeviceCapacity>());
}
