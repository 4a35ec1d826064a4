using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class ProbeJsonTests
{
    private static readonly ProbeReport Report = new()
    {
        Hostname = "probe-a",
        DeviceFiles = ["/dev/nvidia0"],
        Accelerators = [new VisibleAccelerator(AcceleratorSource.NvidiaGpu, "GPU-1", "GPU-1", "Tesla T4")],
        Kernel = new KernelIdentity { Release = "6.8.0", BootId = "b-1" },
    };

    [Test]
    public void ReportSurvivesTheRoundTripThroughAPodLog()
    {
        var log = "nvidia-container-toolkit: injecting\n" + ProbeJson.Write(Report) + "\n";

        var read = ProbeJson.Read(log);

        Assert.Multiple(() =>
        {
            Assert.That(read.Hostname, Is.EqualTo("probe-a"));
            Assert.That(read.Accelerators, Is.EqualTo(Report.Accelerators));
            Assert.That(read.Kernel, Is.EqualTo(Report.Kernel));
            Assert.That(read.DeviceFiles, Is.EqualTo(Report.DeviceFiles));
        });
    }

    [Test]
    public void JsonUsesCamelCaseNames()
    {
        var json = ProbeJson.Write(Report);

        Assert.That(json, Does.Contain("\"deviceFiles\"").And.Contain("\"schema\": \"aiconformance.probe/v1\""));
    }

    [TestCase("")]
    [TestCase("exec /usr/local/bin/aiconformance: exec format error")]
    [TestCase("{\"schema\": \"something-else\"}")]
    public void LogWithoutAReportGivesAClearError(string log)
    {
        var error = Assert.Throws<FormatException>(() => ProbeJson.Read(log));

        Assert.That(error!.Message, Does.Contain("aiconformance probe"));
    }
}
