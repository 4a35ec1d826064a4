using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

/// <summary>The real view, on the machine running the tests (Linux in CI and in the image).</summary>
public sealed class HostContainerViewTests
{
    [Test]
    public void ProbeOfThisMachineReadsItsKernelAndItself()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("the probe reads Linux /proc");

        var report = new ContainerProbe(new HostContainerView()).Run();

        Assert.Multiple(() =>
        {
            Assert.That(report.Kernel.Release, Is.EqualTo(File.ReadAllText("/proc/sys/kernel/osrelease").Trim()));
            Assert.That(report.Kernel.BootId, Does.Match("^[0-9a-f-]{36}$"));
            Assert.That(report.Processes.Select(process => process.Pid), Does.Contain(Environment.ProcessId));
            Assert.That(report.NetworkInterfaces, Does.Contain("lo"));
            Assert.That(report.Mounts.Select(mount => mount.MountPoint), Does.Contain("/"));
        });
    }

    [Test]
    public void RunFindsProgramsOnPathAndReportsTheirOutput()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("uses /bin/sh tools");
        var view = new HostContainerView();

        var output = view.Run("uname", "-r");

        Assert.Multiple(() =>
        {
            Assert.That(output, Is.Not.Null);
            Assert.That(output!.ExitCode, Is.EqualTo(0));
            Assert.That(output.StandardOutput.Trim(), Is.EqualTo(File.ReadAllText("/proc/sys/kernel/osrelease").Trim()));
            Assert.That(view.Run("no-such-program-aiconformance"), Is.Null);
        });
    }

    [Test]
    public void MissingFilesReadAsNullAndMissingDirectoriesAsEmpty()
    {
        var view = new HostContainerView();

        Assert.Multiple(() =>
        {
            Assert.That(view.ReadText("/no/such/file"), Is.Null);
            Assert.That(view.List("/no/such/directory"), Is.Empty);
            Assert.That(view.Exists("/no/such/file"), Is.False);
        });
    }
}
