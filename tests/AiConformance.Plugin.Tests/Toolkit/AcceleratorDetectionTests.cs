using AiConformance.Suite.Framework;
using k8s.Models;
using NUnit.Framework;
using static AiConformance.Plugin.Tests.Toolkit.ClusterObjects;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class AcceleratorDetectionTests
{
    private static readonly AcceleratorSettings Defaults = new();

    [Test]
    public void DraClassForWholeGpusIsPreferredOverMigAndOnlyItsDevicesCount()
    {
        var inventory = AcceleratorInventory.From(
            [Node("a"), Node("b")],
            [NvidiaMigClass(), NvidiaGpuClass()],
            [Slice("a", 1, 1, Device("gpu-0"), Device("gpu-1"), Device("gpu-0-mig-0", "mig"), Device("gpu-0-mig-1", "mig"), Device("gpu-0-mig-2", "mig")),
             Slice("b", 1, 1, Device("gpu-0"))]);

        var accelerator = AcceleratorDetection.Detect(inventory, Defaults).Found.SingleOrDefault();

        Assert.That(accelerator, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(accelerator!.Path, Is.EqualTo(AcceleratorPath.Dra));
            Assert.That(accelerator.DeviceClass, Is.EqualTo("gpu.nvidia.com"));
            Assert.That(accelerator.Driver, Is.EqualTo("gpu.nvidia.com"));
            Assert.That(accelerator.CapacityByNode, Is.EquivalentTo(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 }));
            Assert.That(accelerator.RoomiestNode, Is.EqualTo("a"));
        });
    }

    [Test]
    public void ANodeKeptFreeForAnotherTestIsLeftOutWithItsDevices()
    {
        var inventory = AcceleratorInventory.From(
            [Node("a"), Node("added")],
            [NvidiaGpuClass()],
            [Slice("a", 1, 1, Device("gpu-0")), Slice("added", 1, 1, Device("gpu-0"), Device("gpu-1"))],
            new HashSet<string> { "added" });

        var accelerator = AcceleratorDetection.Detect(inventory, Defaults).Found.Single();

        Assert.Multiple(() =>
        {
            Assert.That(accelerator.CapacityByNode, Is.EquivalentTo(new Dictionary<string, int> { ["a"] = 1 }));
            Assert.That(inventory.ReadyNodes.Select(node => node.Metadata.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(inventory.Notes, Does.Contain("node added is kept free for another test"));
        });
    }

    [Test]
    public void OnlyTheNewestCompletePoolGenerationOfReadyNodesWithUntaintedDevicesCounts()
    {
        var inventory = AcceleratorInventory.From(
            [Node("a"), Node("b"), Node("down", ready: false)],
            [NvidiaGpuClass()],
            [
                Slice("a", 1, 1, Device("old-0"), Device("old-1"), Device("old-2")),
                Slice("a", 2, 1, Device("gpu-0"), Device("gpu-1", tainted: true)),
                Slice("b", 3, 2, Device("gpu-0")), // one of two slices: incomplete
                Slice("down", 1, 1, Device("gpu-0")),
            ]);

        Assert.Multiple(() =>
        {
            Assert.That(inventory.Devices.Select(device => device.Key), Is.EqualTo(new[] { "gpu.nvidia.com/a/gpu-0" }));
            Assert.That(inventory.Notes, Has.Some.Contains("incomplete"));
            Assert.That(inventory.Notes, Has.Some.Contains("tainted"));
            Assert.That(inventory.Notes, Has.Some.Contains("not Ready"));
        });
    }

    [Test]
    public void DevicePluginResourceIsUsedWhenDraHasNoDevicesAndItsNodeTaintsAreTolerated()
    {
        var taint = new V1Taint { Key = "nvidia.com/gpu", Value = "present", Effect = "NoSchedule" };
        var inventory = AcceleratorInventory.From(
            [Node("gpu", allocatable: new Dictionary<string, string> { ["nvidia.com/gpu"] = "4" }, taints: taint), Node("cpu")],
            [], []);

        var accelerator = AcceleratorDetection.Detect(inventory, Defaults).Found.SingleOrDefault();

        Assert.That(accelerator, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(accelerator!.Path, Is.EqualTo(AcceleratorPath.DevicePlugin));
            Assert.That(accelerator.ExtendedResource, Is.EqualTo("nvidia.com/gpu"));
            Assert.That(accelerator.CapacityByNode, Is.EquivalentTo(new Dictionary<string, int> { ["gpu"] = 4 }));
            Assert.That(accelerator.Tolerations.Select(toleration => (toleration.Key, toleration.OperatorProperty, toleration.Effect)),
                Is.EqualTo(new[] { ("nvidia.com/gpu", "Exists", "NoSchedule") }));
        });
    }

    [Test]
    public void ADraClassOfNetworkDevicesIsNotTakenForTheAcceleratorsOfADevicePlugin()
    {
        // DRANET's NICs through DRA next to Neuron devices through their device plugin (EKS Trn1 nodes).
        var nic = new V1Device { Name = "eth1", Attributes = new Dictionary<string, V1DeviceAttribute> { ["dra.net/rdma"] = new() { BoolValue = true }, ["dra.net/ifName"] = new() { StringValue = "eth1" } } };
        var nics = Slice("trn", 1, 1, nic);
        nics.Spec.Driver = "dra.net";
        var inventory = AcceleratorInventory.From(
            [Node("trn", allocatable: new Dictionary<string, string> { ["aws.amazon.com/neuron"] = "16" })],
            [Class("dranet", "device.driver == 'dra.net'")], [nics]);

        var accelerator = AcceleratorDetection.Detect(inventory, Defaults).Found.SingleOrDefault();

        Assert.That(accelerator, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(accelerator!.Path, Is.EqualTo(AcceleratorPath.DevicePlugin));
            Assert.That(accelerator.ExtendedResource, Is.EqualTo("aws.amazon.com/neuron"));
        });
    }

    [Test]
    public void ExtendedResourceMappedByADeviceClassIsNotTakenForADevicePlugin()
    {
        var inventory = AcceleratorInventory.From(
            [Node("gpu", allocatable: new Dictionary<string, string> { ["nvidia.com/gpu"] = "4" })],
            [NvidiaGpuClass(extendedResource: "nvidia.com/gpu")], []);

        var result = AcceleratorDetection.Detect(inventory, Defaults);

        Assert.Multiple(() =>
        {
            Assert.That(result.Found, Is.Empty);
            Assert.That(result.Searched, Does.Contain("nvidia.com/gpu is mapped to a DeviceClass"));
        });
    }

    [Test]
    public void NothingFoundSaysWhatWasLookedFor()
    {
        var result = AcceleratorDetection.Detect(AcceleratorInventory.From([Node("cpu")], null, null), Defaults);

        Assert.Multiple(() =>
        {
            Assert.That(result.Found, Is.Empty);
            Assert.That(result.Searched, Does.Contain("resource.k8s.io/v1 not served").And.Contain("nvidia.com/gpu"));
        });
    }

    [Test]
    public void ConfigurationOverridesDetection()
    {
        var inventory = AcceleratorInventory.From(
            [Node("a", labels: new Dictionary<string, string> { ["pool"] = "x" }), Node("b")],
            [NvidiaMigClass(), NvidiaGpuClass()],
            [Slice("a", 1, 1, Device("gpu-0"), Device("gpu-0-mig-0", "mig")), Slice("b", 1, 1, Device("gpu-0"), Device("gpu-1"))]);

        var configured = AcceleratorDetection.Detect(inventory, new AcceleratorSettings { DeviceClass = "mig.nvidia.com" }).Found.SingleOrDefault();
        var selected = AcceleratorDetection.Detect(inventory, new AcceleratorSettings { NodeSelector = new Dictionary<string, string> { ["pool"] = "x" } }).Found.SingleOrDefault();
        var missing = AcceleratorDetection.Detect(inventory, new AcceleratorSettings { DeviceClass = "no.such.class" });

        Assert.Multiple(() =>
        {
            Assert.That(configured!.DeviceClass, Is.EqualTo("mig.nvidia.com"));
            Assert.That(configured.Origin, Is.EqualTo("configured"));
            Assert.That(selected!.Nodes, Is.EqualTo(new[] { "a" }), "the node selector narrows the nodes");
            Assert.That(missing.Found, Is.Empty);
            Assert.That(missing.Searched, Does.Contain("no DeviceClass no.such.class exists"));
        });
    }

    [Test]
    public void PublishedDeviceIsSeenAsItsNameUuidOrDeviceFile()
    {
        var device = new PublishedDevice("gpu.nvidia.com", "a", "gpu-3",
            "a", new Dictionary<string, V1DeviceAttribute> { ["uuid"] = new() { StringValue = "GPU-abc" }, ["gpu.nvidia.com/minor"] = new() { IntValue = 3 } },
            new Dictionary<string, V1DeviceCapacity>());

        Assert.Multiple(() =>
        {
            Assert.That(device.Identities, Is.EquivalentTo(new[] { "gpu-3", "GPU-abc", "/dev/nvidia3" }));
            Assert.That(device.Text("minor"), Is.EqualTo("3"), "a short name finds the attribute qualified by the driver's domain");
        });
    }
}
