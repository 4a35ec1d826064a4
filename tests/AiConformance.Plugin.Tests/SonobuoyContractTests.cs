using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>What Sonobuoy relies on: results dir from the environment, progress posts, the archive and <c>done</c> last.</summary>
public class SonobuoyContractTests
{
    private static Dictionary<string, string> SonobuoyEnvironment(string results, int progressPort, string? configDirectory = null) => new()
    {
        ["SONOBUOY"] = "true",
        ["SONOBUOY_RESULTS_DIR"] = results,
        ["SONOBUOY_PROGRESS_PORT"] = progressPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SONOBUOY_K8S_VERSION"] = "v1.35.0",
        ["SONOBUOY_CONFIG_DIR"] = configDirectory ?? "/nonexistent",
    };

    [Test]
    public async Task ResultsGoToTheSonobuoyDirectoryWithDoneWrittenLast()
    {
        using var fixture = new RunFixture("v1.37.1");
        var results = fixture.Directory.File("sonobuoy-results");
        var configDirectory = fixture.Directory.File("config");
        Directory.CreateDirectory(configDirectory);
        await File.WriteAllTextAsync(Path.Combine(configDirectory, "ai-conformance.yaml"), "metadata:\n  vendorName: FromConfigMap\n");
        var request = fixture.Request("dra_support", "gang_scheduling") with
        {
            OutputDirectory = null,
            Environment = SonobuoyEnvironment(results, fixture.Api.Port, configDirectory),
        };

        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        var done = Path.Combine(results, "done");
        Assert.That(result.OutputDirectory, Is.EqualTo(Path.GetFullPath(results)));
        Assert.That(result.ChecklistVersion, Is.EqualTo("v1.35"), "SONOBUOY_K8S_VERSION chooses the checklist");
        Assert.That(File.Exists(done), Is.True);
        var archive = (await File.ReadAllTextAsync(done)).Trim();
        Assert.Multiple(() =>
        {
            Assert.That(Path.IsPathRooted(archive), Is.True, archive);
            Assert.That(File.Exists(archive), Is.True, archive);
            var doneTime = File.GetLastWriteTimeUtc(done);
            Assert.That(Directory.EnumerateFiles(results, "*", SearchOption.AllDirectories).Where(f => f != done).Select(File.GetLastWriteTimeUtc),
                Has.All.LessThanOrEqualTo(doneTime), "done is written last");
            Assert.That(Directory.EnumerateFiles(results, "*.partial"), Is.Empty);
        });

        var extracted = fixture.Directory.File("extracted");
        Directory.CreateDirectory(extracted);
        await using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(gzip, extracted, overwriteFiles: false);
        }
        Assert.That(Directory.EnumerateFiles(extracted, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(extracted, f)),
            Is.SupersetOf(new[] { "junit.xml", "e2e.log", "AIConformance-1.35.yaml", "summary.md", Path.Combine("evidence", "dra_support.md") })
                .And.None.EqualTo("done"));
        var suite = SonobuoyJUnit.Read(Path.Combine(extracted, "junit.xml")).Single();
        Assert.That(suite.Cases, Has.Count.EqualTo(4));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(extracted, "AIConformance-1.35.yaml")), Does.Contain("vendorName: \"FromConfigMap\""),
            "the config-map's ai-conformance.yaml is read");
    }

    [Test]
    public async Task ProgressIsPostedWithFailuresKeptOutOfCompleted()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("dra_support", "gang_scheduling") with
        {
            Environment = SonobuoyEnvironment(fixture.Directory.File("sonobuoy-results"), fixture.Api.Port),
        };
        await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        var updates = fixture.Api.Requests.Where(r => r.Path == "/progress").Select(r => JsonNode.Parse(r.Body)!).ToList();
        var afterLastTest = updates[^2];
        Assert.Multiple(() =>
        {
            Assert.That(updates, Has.Count.EqualTo(6), "start, four tests, finish");
            Assert.That(updates.Select(u => (string?)u["name"]), Has.All.EqualTo("ai-conformance"));
            Assert.That(updates.Select(u => (string?)u["node"]), Has.All.EqualTo("global"));
            Assert.That(updates.Select(u => (long)u["total"]!), Has.All.EqualTo(4));
            Assert.That((long)afterLastTest["completed"]!, Is.EqualTo(3), "completed excludes the failure");
            Assert.That(afterLastTest["failures"]!.AsArray().Select(f => (string?)f), Is.EqualTo(new[] { "TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit" }));
            Assert.That(updates.Select(u => (string?)u["msg"]), Does.Contain("FAILED TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit"));
            Assert.That(DateTimeOffset.TryParse((string?)afterLastTest["timestamp"], out _), Is.True);
        });
    }

    [Test]
    public async Task ProgressEndpointDownNeverFailsTheRun()
    {
        using var fixture = new RunFixture();
        var results = fixture.Directory.File("sonobuoy-results");
        var request = fixture.Request("dra_support") with { Environment = SonobuoyEnvironment(results, FakeApiServer.FreePort()) };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Conformant));
        Assert.That(File.Exists(Path.Combine(results, "done")), Is.True);
    }

    [Test]
    public async Task UnreachableClusterStillLeavesJUnitAndDone()
    {
        using var fixture = new RunFixture();
        var results = fixture.Directory.File("sonobuoy-results");
        var request = fixture.Request() with
        {
            KubeconfigPath = Kubeconfigs.PointingAtClosedPort(fixture.Directory.Path),
            OutputDirectory = null,
            Environment = SonobuoyEnvironment(results, FakeApiServer.FreePort()),
        };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ClusterUnreachable));
        var archive = (await File.ReadAllTextAsync(Path.Combine(results, "done"))).Trim();
        var extracted = fixture.Directory.File("extracted");
        Directory.CreateDirectory(extracted);
        await using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(gzip, extracted, overwriteFiles: false);
        }
        var suite = SonobuoyJUnit.Read(Path.Combine(extracted, "junit.xml")).Single();
        Assert.That(suite.Status, Is.EqualTo("failed"));
        Assert.That(suite.Cases.Single().Failure, Does.Contain("connection refused"));
    }

    [Test]
    public async Task MalformedConfigUnderSonobuoyStillLeavesJUnitAndDone()
    {
        using var fixture = new RunFixture();
        var results = fixture.Directory.File("sonobuoy-results");
        var request = fixture.Request() with
        {
            ConfigPath = fixture.WriteConfig("a: [b\n"),
            OutputDirectory = null,
            Environment = SonobuoyEnvironment(results, FakeApiServer.FreePort()),
        };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(File.Exists(Path.Combine(results, "done")), Is.True);
        Assert.That(SonobuoyJUnit.Read(Path.Combine(results, "junit.xml")).Single().Cases.Single().Failure, Does.Contain("malformed YAML"));
    }
}
