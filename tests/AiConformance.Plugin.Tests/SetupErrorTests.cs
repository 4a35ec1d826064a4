using System.Net;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>Bad input ends a run with one clear line and the documented exit code, never a stack trace.</summary>
public class SetupErrorTests
{
    private static async Task<(RunResult Result, string Error)> RunAsync(RunFixture fixture, RunRequest request)
    {
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);
        return (result, fixture.Errors.ToString());
    }

    private static void AssertOneLine(RunResult result, string error, int exitCode, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode));
            Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), error);
            Assert.That(error, Does.StartWith("error: ").And.Contain(expected).And.Not.Contain("   at "));
            Assert.That(result.Error, Does.Contain(expected));
        });
    }

    [Test]
    public async Task ClosedPortIsUnreachable()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request() with { KubeconfigPath = Kubeconfigs.PointingAtClosedPort(fixture.Directory.Path) };
        var (result, error) = await RunAsync(fixture, request);
        AssertOneLine(result, error, ExitCodes.ClusterUnreachable, "connection refused");
        Assert.That(error, Does.Contain("hint:"));
        Assert.That(Directory.Exists(fixture.Results), Is.False, "outside Sonobuoy a run that cannot start writes nothing");
    }

    [Test]
    public async Task RefusedCredentialsAreUnauthorized()
    {
        using var fixture = new RunFixture();
        using var refusing = new FakeApiServer(versionStatus: HttpStatusCode.Unauthorized);
        var request = fixture.Request() with { KubeconfigPath = refusing.WriteKubeconfig(fixture.Directory.Path) };
        var (result, error) = await RunAsync(fixture, request);
        AssertOneLine(result, error, ExitCodes.ClusterUnreachable, "refused the credentials (401");
    }

    [Test]
    public async Task ServerThatIsNotKubernetesIsUnreachable()
    {
        using var fixture = new RunFixture(FakeApiServer.NotKubernetes);
        var (result, error) = await RunAsync(fixture, fixture.Request());
        AssertOneLine(result, error, ExitCodes.ClusterUnreachable, "does not answer /version like a Kubernetes API server");
    }

    [TestCase("this: [is not: a kubeconfig", "cannot read kubeconfig")]
    [TestCase("apiVersion: v1\nkind: Config\n", "cannot read kubeconfig")]
    [TestCase("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\ncurrent-context: nope\nusers: []\n", "cannot read kubeconfig")]
    [TestCase("\n", "is empty")]
    public async Task UnreadableKubeconfigIsAUsageError(string content, string expected)
    {
        using var fixture = new RunFixture();
        var garbage = fixture.Directory.File("garbage-kubeconfig");
        await File.WriteAllTextAsync(garbage, content);
        var (result, error) = await RunAsync(fixture, fixture.Request() with { KubeconfigPath = garbage });
        AssertOneLine(result, error, ExitCodes.UsageError, expected);
        Assert.That(error, Does.Contain(garbage).And.Contain("hint:").And.Not.Contain("Object reference"));
    }

    [Test]
    public async Task MissingKubeconfigIsAUsageError()
    {
        using var fixture = new RunFixture();
        var missing = fixture.Directory.File("absent");
        var (result, error) = await RunAsync(fixture, fixture.Request() with { KubeconfigPath = missing });
        AssertOneLine(result, error, ExitCodes.UsageError, "does not exist; hint: pass --kubeconfig");
    }

    [Test]
    public async Task MalformedConfigNamesFileAndLine()
    {
        using var fixture = new RunFixture();
        var config = fixture.WriteConfig("accelerator:\n  deviceClass: x\n bad-indent: y\n");
        var (result, error) = await RunAsync(fixture, fixture.Request() with { ConfigPath = config });
        AssertOneLine(result, error, ExitCodes.UsageError, $"{config}:3:");
    }

    [Test]
    public async Task UnwritableOutputIsAUsageError()
    {
        using var fixture = new RunFixture();
        var file = fixture.Directory.File("a-file");
        await File.WriteAllTextAsync(file, "");
        var (result, error) = await RunAsync(fixture, fixture.Request("dra_support") with { OutputDirectory = Path.Combine(file, "results") });
        AssertOneLine(result, error, ExitCodes.UsageError, "cannot write the results to");
    }

    [Test]
    public async Task UnknownChecklistVersionIsAUsageError()
    {
        using var fixture = new RunFixture();
        var (result, error) = await RunAsync(fixture, fixture.Request() with { ChecklistVersion = "v1.29" });
        AssertOneLine(result, error, ExitCodes.UsageError, "unknown checklist version 'v1.29'");
    }

    [Test]
    public async Task ClusterOlderThanTheFirstChecklistIsAUsageError()
    {
        using var fixture = new RunFixture("v1.31.4");
        var (result, error) = await RunAsync(fixture, fixture.Request());
        AssertOneLine(result, error, ExitCodes.UsageError, "older than the oldest AI conformance checklist");
    }

    [Test]
    public async Task NewerClusterRunsTheNewestChecklistWithAWarning()
    {
        using var fixture = new RunFixture("v1.39.0");
        var result = await ConformanceRun.ExecuteAsync(fixture.Request("gang_scheduling"), CancellationToken.None);
        Assert.That(result.ChecklistVersion, Is.EqualTo("v1.37"));
        Assert.That(fixture.Output.ToString(), Does.Contain("warning: the cluster runs Kubernetes 1.39"));
    }

    [Test]
    public async Task RequirementOfAnotherVersionIsAUsageError()
    {
        using var fixture = new RunFixture();
        var (result, error) = await RunAsync(fixture, fixture.Request("workload_sandboxing"));
        AssertOneLine(result, error, ExitCodes.UsageError, "'workload_sandboxing' is not part of checklist v1.35");
    }
}
