using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class ContainerProbeTests
{
    private static InMemoryContainerView BaseContainer() => new InMemoryContainerView()
        .WithFile("/etc/hostname", "probe-7f9c\n")
        .WithFile("/proc/sys/kernel/osrelease", "6.8.0-1021-aws\n")
        .WithFile("/proc/version", "Linux version 6.8.0-1021-aws (buildd@lcy02) #23-Ubuntu SMP\n")
        .WithFile("/proc/sys/kernel/random/boot_id", "0b8e4f0e-3a51-4c7e-9d63-1f2a3b4c5d6e\n")
        .WithFile("/proc/1/cmdline", "aiconformance\0probe\0")
        .WithFile("/proc/net/dev", ProbeSamples.ProcNetDev)
        .WithFile("/sys/class/net/lo/address", "00:00:00:00:00:00\n")
        .WithFile("/sys/class/net/eth0/address", "0a:58:0a:f4:01:07\n")
        .WithFile("/proc/self/mountinfo", ProbeSamples.RuncMountInfo)
        .WithFile("/dev/null")
        .WithFile("/dev/nvidiactl")
        .WithFile("/dev/nvidia-uvm")
        .WithEnvironment("PATH", "/usr/bin")
        .WithEnvironment("HOME", "/root");

    private static InMemoryContainerView WithNvidiaSmi(InMemoryContainerView view, string list, string xml) =>
        view.WithProgram("nvidia-smi", arguments => arguments.SequenceEqual(["-L"])
            ? new CommandOutput(0, list, "")
            : new CommandOutput(0, xml, ""));

    [Test]
    public void ContainerWithoutAcceleratorsReportsNone()
    {
        var report = new ContainerProbe(BaseContainer()).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.Accelerators, Is.Empty);
            Assert.That(report.DeviceFiles, Is.Empty, "nvidiactl and nvidia-uvm are shared control nodes, not accelerators");
            Assert.That(report.NvidiaSmi, Is.Null);
            Assert.That(report.AcceleratorEnvironment, Is.Empty);
            Assert.That(report.Problems, Is.Empty);
        });
    }

    [Test]
    public void GpuInjectedByTheNvidiaRuntimeIsIdentifiedByItsUuid()
    {
        var view = WithNvidiaSmi(BaseContainer(), ProbeSamples.Read("nvidia-smi-L-tesla-t4.txt"), ProbeSamples.Read("tesla-t4.xml"))
            .WithFile("/dev/nvidia0")
            .WithEnvironment("NVIDIA_VISIBLE_DEVICES", "GPU-d37e67a5-91dd-3774-a5cb-99096249601a");

        var report = new ContainerProbe(view).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.DeviceFiles, Is.EqualTo(new[] { "/dev/nvidia0" }));
            Assert.That(report.AcceleratorEnvironment, Does.ContainKey("NVIDIA_VISIBLE_DEVICES"));
            Assert.That(report.AcceleratorEnvironment, Does.Not.ContainKey("HOME"));
            Assert.That(report.NvidiaSmi!.DriverVersion, Is.EqualTo("515.105.01"));
            Assert.That(report.NvidiaSmi.CudaVersion, Is.EqualTo("11.7"));
            Assert.That(report.NvidiaSmi.Error, Is.Null);
            Assert.That(report.Accelerators, Has.Count.EqualTo(1));
            Assert.That(report.Accelerators[0].Source, Is.EqualTo(AcceleratorSource.NvidiaGpu));
            Assert.That(report.Accelerators[0].Id, Is.EqualTo("GPU-d37e67a5-91dd-3774-a5cb-99096249601a"));
            Assert.That(report.Accelerators[0].Product, Is.EqualTo("Tesla T4"));
        });
    }

    [Test]
    public void MigSlicesAreTheAcceleratorsAndNameTheirPhysicalGpu()
    {
        const string list =
            """
            GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-513536b6-7d19-9063-b049-1e69664bb298)
              MIG 1g.10gb     Device  0: (UUID: MIG-1b2c3d4e-0000-5aaa-8bbb-000000000001)
            """;
        var view = WithNvidiaSmi(BaseContainer(), list, ProbeSamples.Read("a100-sxm4-v12.xml"));

        var report = new ContainerProbe(view).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.Accelerators, Has.Count.EqualTo(1));
            Assert.That(report.Accelerators[0].Source, Is.EqualTo(AcceleratorSource.NvidiaMig));
            Assert.That(report.Accelerators[0].Id, Is.EqualTo("MIG-1b2c3d4e-0000-5aaa-8bbb-000000000001"));
            Assert.That(report.Accelerators[0].PhysicalId, Is.EqualTo("GPU-513536b6-7d19-9063-b049-1e69664bb298"));
            Assert.That(report.NvidiaSmi!.Gpus[0].MigDevices[0].GpuInstanceId, Is.EqualTo(3), "the XML's details are kept");
            Assert.That(report.NvidiaSmi.Gpus[0].MigDevices[0].Profile, Is.EqualTo("1g.10gb"), "the list's profile is merged in");
        });
    }

    [Test]
    public void FailingNvidiaSmiIsReportedNotHidden()
    {
        var view = BaseContainer().WithProgram("nvidia-smi", _ => new CommandOutput(6, "", "No devices were found\n"));

        var report = new ContainerProbe(view).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.NvidiaSmi, Is.Not.Null);
            Assert.That(report.NvidiaSmi!.Gpus, Is.Empty);
            Assert.That(report.NvidiaSmi.Error, Does.Contain("exited 6").And.Contain("No devices were found"));
            Assert.That(report.Accelerators, Is.Empty);
        });
    }

    [Test]
    public void DraExampleDriverDevicesComeFromItsEnvironment()
    {
        var view = BaseContainer()
            .WithEnvironment("GPU_DEVICE_0", "gpu-3")
            .WithEnvironment("GPU_DEVICE_0_SHARING_STRATEGY", "TimeSlicing")
            .WithEnvironment("GPU_DEVICE_0_RESOURCE_CLAIM", "5d1b");

        var report = new ContainerProbe(view).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.Accelerators.Select(accelerator => accelerator.Id), Is.EqualTo(new[] { "gpu-3" }));
            Assert.That(report.Accelerators[0].Source, Is.EqualTo(AcceleratorSource.DraEnvironment));
            Assert.That(report.AcceleratorEnvironment.Keys, Is.EquivalentTo(new[]
            {
                "GPU_DEVICE_0", "GPU_DEVICE_0_SHARING_STRATEGY", "GPU_DEVICE_0_RESOURCE_CLAIM",
            }));
        });
    }

    [Test]
    public void DeviceFilesOfOtherVendorsAreFoundAndCounted()
    {
        var view = BaseContainer()
            .WithFile("/dev/dri/card1").WithFile("/dev/dri/renderD128").WithFile("/dev/kfd")
            .WithFile("/dev/neuron0").WithFile("/dev/accel/accel0").WithFile("/dev/vfio/vfio").WithFile("/dev/vfio/42");

        var report = new ContainerProbe(view).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.DeviceFiles, Is.EquivalentTo(new[]
            {
                "/dev/dri/card1", "/dev/dri/renderD128", "/dev/kfd", "/dev/neuron0", "/dev/accel/accel0", "/dev/vfio/vfio", "/dev/vfio/42",
            }));
            Assert.That(report.Accelerators.Select(accelerator => accelerator.Id), Is.EquivalentTo(new[]
            {
                "/dev/dri/renderD128", "/dev/neuron0", "/dev/accel/accel0", "/dev/vfio/42",
            }), "one entry per device, not per interface file");
        });
    }

    [Test]
    public void EachVfioGroupOfTheContainerListsThePciDevicesSysfsPutsInIt()
    {
        var view = BaseContainer()
            .WithFile("/dev/vfio/vfio").WithFile("/dev/vfio/42")
            .WithFile("/sys/kernel/iommu_groups/42/devices/0000:18:00.0").WithFile("/sys/kernel/iommu_groups/42/devices/0000:18:00.1")
            .WithFile("/sys/kernel/iommu_groups/43/devices/0000:28:00.0");

        var report = new ContainerProbe(view).Run();

        Assert.That(report.VfioGroups, Is.EquivalentTo(new Dictionary<string, IReadOnlyList<string>>
        {
            ["42"] = ["0000:18:00.0", "0000:18:00.1"],
        }), "only the groups the container has, with the group's devices; not /dev/vfio/vfio, not group 43");
    }

    [Test]
    public void KernelProcessesAndNetworkAreReported()
    {
        var report = new ContainerProbe(BaseContainer().WithFile("/proc/self/cmdline", "x")).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.Hostname, Is.EqualTo("probe-7f9c"));
            Assert.That(report.Kernel.Release, Is.EqualTo("6.8.0-1021-aws"));
            Assert.That(report.Kernel.Version, Does.StartWith("Linux version 6.8.0-1021-aws"));
            Assert.That(report.Kernel.BootId, Is.EqualTo("0b8e4f0e-3a51-4c7e-9d63-1f2a3b4c5d6e"));
            Assert.That(report.Processes, Is.EqualTo(new[] { new ProcessEntry(1, "aiconformance probe") }));
            Assert.That(report.NetworkInterfaces, Is.EqualTo(new[] { "lo", "eth0" }));
            Assert.That(report.InterfaceAddresses["eth0"], Is.EqualTo("0a:58:0a:f4:01:07"));
            Assert.That(report.DevMemPresent, Is.False);
        });
    }

    [Test]
    public void RuncContainerShowsTheNodesDiskAndGvisorDoesNot()
    {
        var runc = new ContainerProbe(BaseContainer().WithFile("/dev/mem")).Run();
        var gvisor = new ContainerProbe(BaseContainer().WithFile("/proc/self/mountinfo", ProbeSamples.GvisorMountInfo)).Run();

        Assert.Multiple(() =>
        {
            Assert.That(runc.Mounts, Has.Count.EqualTo(8));
            Assert.That(runc.HostMounts.Select(mount => mount.MountPoint), Is.EquivalentTo(new[]
            {
                "/etc/hosts", "/dev/termination-log", "/etc/hostname", "/data",
            }));
            Assert.That(runc.HostMounts.Single(mount => mount.MountPoint == "/data").Root, Is.EqualTo("/srv/my data"), "octal escapes are decoded");
            Assert.That(runc.DevMemPresent, Is.True);
            Assert.That(gvisor.Mounts, Has.Count.EqualTo(4));
            Assert.That(gvisor.HostMounts, Is.Empty);
        });
    }

    [Test]
    public void MissingProcFilesAreListedAsProblems()
    {
        var view = new InMemoryContainerView();

        var report = new ContainerProbe(view).Run();

        Assert.That(report.Problems, Does.Contain("cannot read /proc/version").And.Contain("cannot read /proc/self/mountinfo"));
    }
}
