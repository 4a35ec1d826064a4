using AiConformance.ClusterSim.Modules.Accelerators;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The simulated MIG, time-slicing and VFIO devices, looked at by the real probe: what a container given them sees must
/// agree with what their ResourceSlice entries publish, in the formats of the real tools.
/// </summary>
public sealed class AcceleratorModelTests
{
    private static SimulatedDevice Device(IAcceleratorProfile profile, int index, bool viaDra = true) =>
        new("node-a", profile, index, profile.DeviceName(index), $"gpu-{index:D8}-0000-0000-0000-000000000000",
            profile.DefaultModel, profile.DefaultMemory, $"0000:{0x18 + index:X2}:00.0", viaDra);

    private static ProbeReport Probe(IAcceleratorProfile profile, params SimulatedDevice[] devices)
    {
        var view = new InMemoryContainerView();
        profile.Expose(view, devices, viaDevicePlugin: !devices[0].ViaDra);
        return new ContainerProbe(view).Run();
    }

    [Test]
    public void MigSlicesAreSeenWithTheUuidsTheirSlicesPublish()
    {
        var mig = new NvidiaMigProfile();
        var slices = new[] { Device(mig, 0), Device(mig, 1), Device(mig, NvidiaMigProfile.SlicesPerGpu) };

        var report = Probe(mig, slices);
        var published = slices.Select(slice => mig.SliceDevice(slice)["attributes"]!).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(report.Accelerators.Select(unit => unit.Id),
                Is.EquivalentTo(published.Select(attributes => (string?)attributes["uuid"]!["string"])));
            Assert.That(report.Accelerators.Select(unit => unit.Source), Is.All.EqualTo(AcceleratorSource.NvidiaMig));
            Assert.That(report.Accelerators.Select(unit => unit.PhysicalId).Distinct().Count(), Is.EqualTo(2), "slices of two physical GPUs");
            Assert.That(report.Accelerators.Select(unit => unit.PhysicalId),
                Is.EquivalentTo(published.Select(attributes => (string?)attributes["parentUUID"]!["string"])));
            Assert.That(report.NvidiaSmi!.Gpus.Select(gpu => gpu.MigMode), Is.All.EqualTo("Enabled"));
            Assert.That(report.NvidiaSmi.Error, Is.Null);
            Assert.That(slices.Select(slice => slice.Name), Is.EqualTo(new[] { "gpu-0-mig-0", "gpu-0-mig-1", "gpu-1-mig-0" }));
        });
    }

    [Test]
    public void TimeSlicedReplicasOfOneGpuShowThatGpu()
    {
        var timeSliced = new NvidiaTimeSlicedProfile();
        var first = Probe(timeSliced, Device(timeSliced, 0, viaDra: false));
        var second = Probe(timeSliced, Device(timeSliced, 1, viaDra: false));
        var otherGpu = Probe(timeSliced, Device(timeSliced, NvidiaTimeSlicedProfile.Replicas, viaDra: false));

        Assert.Multiple(() =>
        {
            Assert.That(first.Accelerators.Single().Id, Is.EqualTo(second.Accelerators.Single().Id), "two replicas of GPU 0");
            Assert.That(otherGpu.Accelerators.Single().Id, Is.Not.EqualTo(first.Accelerators.Single().Id), "a replica of GPU 1");
            Assert.That(first.AcceleratorEnvironment["NVIDIA_VISIBLE_DEVICES"], Is.EqualTo(first.Accelerators.Single().Id));
        });
    }

    [Test]
    public void VfioDeviceIsTheIommuGroupThatHoldsItsPublishedPciAddressWithoutADriver()
    {
        var vfio = new NvidiaVfioProfile();
        var device = Device(vfio, 2);

        var report = Probe(vfio, device);
        var pciAddress = (string?)vfio.SliceDevice(device)["attributes"]!["resource.kubernetes.io/pciBusID"]!["string"];
        var group = report.VfioGroups.Single();

        Assert.Multiple(() =>
        {
            Assert.That(report.DeviceFiles, Is.EquivalentTo(new[] { "/dev/vfio/vfio", $"/dev/vfio/{group.Key}" }));
            Assert.That(report.Accelerators.Single().Id, Is.EqualTo($"/dev/vfio/{group.Key}"));
            Assert.That(group.Value, Is.EqualTo(new[] { pciAddress }), "sysfs puts the published PCI address in the group the container has");
            Assert.That(report.NvidiaSmi, Is.Null, "a device bound to vfio-pci has no NVIDIA driver in the container");
        });
    }

    [Test]
    public void StaleAttributeProfilePublishesAnotherDriverThanTheContainerRuns()
    {
        var stale = new MisreportingNvidiaProfile();
        var device = Device(stale, 0);

        var published = (string?)stale.SliceDevice(device)["attributes"]!["driverVersion"]!["version"];
        var running = Probe(stale, device).NvidiaSmi!.DriverVersion;

        Assert.Multiple(() =>
        {
            Assert.That(published, Is.EqualTo(MisreportingNvidiaProfile.PublishedDriverVersion));
            Assert.That(running, Is.EqualTo(NvidiaGpuProfile.DriverVersion));
        });
    }
}
