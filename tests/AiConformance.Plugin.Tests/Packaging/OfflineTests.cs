using System.Net;
using System.Net.Sockets;
using AiConformance.Plugin.Cli;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary>
/// No run needs the internet: the suite (against the simulated cluster, whose kubelet runs the image's workload roles
/// as real code), the probe role and the images list open no connection, DNS look-up or HTTP request beyond loopback.
/// The image test adds the same proof at the network level: the probe role runs there in a network namespace that has
/// only loopback.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OfflineTests
{
    private static async Task<(int ExitCode, string Output)> Invoke(params string[] args)
    {
        var output = new StringWriter();
        var exit = await CommandLineApp.InvokeAsync(args, output, output);
        return (exit, output.ToString());
    }

    [Test]
    public async Task TheWatchSeesALoopbackConnectionItIsShown()
    {
        using var watch = new NetworkWatch();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        }

        Assert.That(watch.Connects, Is.Not.Empty, "a watch that sees nothing would prove nothing");
        Assert.That(watch.BeyondLoopback, Is.Empty);
    }

    [TestCase("192.0.2.10", false)]
    [TestCase("2001:db8::1", false)]
    [TestCase("127.0.0.1", true)]
    [TestCase("::1", true)]
    public void SocketAddressesAreClassifiedByTheirIp(string ip, bool loopback) =>
        Assert.That(NetworkWatch.IsLoopbackSocketAddress(new IPEndPoint(IPAddress.Parse(ip), 443).Serialize().ToString()), Is.EqualTo(loopback));

    [Test]
    public async Task TheSuiteAgainstTheSimulatedClusterTalksOnlyToLoopback()
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("offline-test-").FullName, "results");
        using var watch = new NetworkWatch();

        var (exit, log) = await Invoke("demo", "--requirement", "secure_accelerator_access", "--requirement", "dra_support", "--output", output);

        Assert.That(exit, Is.AnyOf(0, 1), log);
        Assert.That(File.Exists(Path.Combine(output, "junit.xml")), Is.True, log);
        Assert.That(watch.Requests, Is.Not.Empty, "the suite's API calls are seen");
        Assert.That(watch.BeyondLoopback, Is.Empty);
        Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
    }

    [Test]
    public async Task TheProbeRoleAndTheImagesListOpenNoConnection()
    {
        using var watch = new NetworkWatch();

        var (probeExit, probe) = await Invoke("probe");
        var (imagesExit, images) = await Invoke("images");

        Assert.That((probeExit, imagesExit), Is.EqualTo((0, 0)), probe + images);
        Assert.That(watch.Connects.Concat(watch.Lookups).Concat(watch.Requests), Is.Empty);
    }
}
