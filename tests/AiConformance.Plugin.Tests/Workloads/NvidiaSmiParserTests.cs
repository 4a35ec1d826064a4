using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class NvidiaSmiParserTests
{
    [Test]
    public void ListOfOneGpuGivesIndexProductAndUuid()
    {
        var gpus = NvidiaSmiListParser.Parse(ProbeSamples.Read("nvidia-smi-L-tesla-t4.txt"));

        Assert.That(gpus, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(gpus[0].Index, Is.EqualTo(0));
            Assert.That(gpus[0].Product, Is.EqualTo("Tesla T4"));
            Assert.That(gpus[0].Uuid, Is.EqualTo("GPU-dabc57c1-250b-2979-2b6a-7fd7d9574143"));
            Assert.That(gpus[0].MigDevices, Is.Empty);
        });
    }

    [Test]
    public void ListWithMigGivesEachGpuItsOwnSlices()
    {
        var gpus = NvidiaSmiListParser.Parse(ProbeSamples.Read("nvidia-smi-L-gh200-mig.txt"));

        Assert.That(gpus.Select(gpu => gpu.Uuid), Is.EqualTo(new[]
        {
            "GPU-a4f34abc-7715-3560-dcea-7238b9611a45", "GPU-9e6df7cb-64d4-5e53-2b1d-cee9e58aeb94",
        }));
        Assert.Multiple(() =>
        {
            Assert.That(gpus[0].MigDevices, Has.Count.EqualTo(7));
            Assert.That(gpus[1].MigDevices, Has.Count.EqualTo(7));
            Assert.That(gpus[0].MigDevices[0].Uuid, Is.EqualTo("MIG-4d806f22-346a-5a1d-ac01-86b505cdf485"));
            Assert.That(gpus[1].MigDevices[6].Uuid, Is.EqualTo("MIG-c7cbc24b-a93f-5ff3-b388-deba1f3ac17e"));
            Assert.That(gpus.SelectMany(gpu => gpu.MigDevices).Select(mig => mig.Profile).Distinct(), Is.EqualTo(new[] { "1g.12gb" }));
        });
    }

    [Test]
    public void ListIgnoresLinesThatAreNotDevices()
    {
        var gpus = NvidiaSmiListParser.Parse("No devices were found\n");

        Assert.That(gpus, Is.Empty);
    }

    [TestCase("tesla-t4.xml", "Tesla T4", "GPU-d37e67a5-91dd-3774-a5cb-99096249601a", "515.105.01", "11.7", "00000000:00:1E.0")]
    [TestCase("a10g.xml", "NVIDIA A10G", "GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94", "515.105.01", "11.7", "00000000:00:1E.0")]
    [TestCase("rtx-4000-sff-ada-v13.xml", "NVIDIA RTX 4000 SFF Ada Generation", "GPU-37037c3f-65c8-ec4d-24a9-420204ad8026", "595.84", "13.2", "00000000:06:00.0")]
    [TestCase("a100-sxm4-v12.xml", "NVIDIA A100-SXM4-80GB", "GPU-513536b6-7d19-9063-b049-1e69664bb298", "535.54.03", "12.2", "00000000:01:00.0")]
    public void XmlGivesVersionsAndTheGpu(string sample, string product, string uuid, string driver, string cuda, string pciBusId)
    {
        var report = NvidiaSmiXmlParser.Parse(ProbeSamples.Read(sample));

        Assert.Multiple(() =>
        {
            Assert.That(report.DriverVersion, Is.EqualTo(driver));
            Assert.That(report.CudaVersion, Is.EqualTo(cuda));
            Assert.That(report.Gpus, Has.Count.EqualTo(1));
            Assert.That(report.Gpus[0].Product, Is.EqualTo(product));
            Assert.That(report.Gpus[0].Uuid, Is.EqualTo(uuid));
            Assert.That(report.Gpus[0].PciBusId, Is.EqualTo(pciBusId));
        });
    }

    [Test]
    public void XmlOfAMigEnabledA100ListsItsInstances()
    {
        var gpu = NvidiaSmiXmlParser.Parse(ProbeSamples.Read("a100-sxm4-v12.xml")).Gpus[0];

        Assert.Multiple(() =>
        {
            Assert.That(gpu.MigMode, Is.EqualTo("Enabled"));
            Assert.That(gpu.MinorNumber, Is.EqualTo(1));
            Assert.That(gpu.MigDevices.Select(mig => mig.Index), Is.EqualTo(Enumerable.Range(0, gpu.MigDevices.Count)));
            Assert.That(gpu.MigDevices, Has.Count.EqualTo(4));
            Assert.That(gpu.MigDevices[0].GpuInstanceId, Is.EqualTo(3));
            Assert.That(gpu.MigDevices[0].MemoryTotal, Is.EqualTo("19968 MiB"));
            // Driver 535's XML has no MIG UUIDs; they come from nvidia-smi -L.
            Assert.That(gpu.MigDevices.Select(mig => mig.Uuid), Is.All.Null);
        });
    }

    [Test]
    public void XmlOfAGpuWithoutMigHasNoInstances()
    {
        var gpu = NvidiaSmiXmlParser.Parse(ProbeSamples.Read("tesla-t4.xml")).Gpus[0];

        Assert.Multiple(() =>
        {
            Assert.That(gpu.MigMode, Is.EqualTo("N/A"));
            Assert.That(gpu.MigDevices, Is.Empty);
        });
    }

    [TestCase("not xml at all")]
    [TestCase("<other_log><driver_version>1</driver_version></other_log>")]
    public void XmlThatIsNotAnNvidiaSmiLogIsRejectedWithAReason(string text)
    {
        var error = Assert.Throws<FormatException>(() => NvidiaSmiXmlParser.Parse(text));

        Assert.That(error!.Message, Does.Contain("nvidia-smi -q -x"));
    }
}
