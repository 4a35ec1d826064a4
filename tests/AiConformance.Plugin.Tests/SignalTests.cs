using System.Diagnostics;
using System.Runtime.InteropServices;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>
/// SIGTERM (how Sonobuoy ends a plugin at its timeout) in a real child process whose test hangs and ignores
/// cancellation: the process still writes every report and <c>done</c> within the cleanup grace period.
/// </summary>
[Platform(Include = "Linux,MacOsX")]
public class SignalTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [Test]
    public async Task SigtermDuringAHangingTestWritesReportsAndDoneWithinTheGracePeriod()
    {
        using var fixture = new RunFixture();
        var results = fixture.Directory.File("sonobuoy-results");
        var marker = fixture.Directory.File("hanging-test-started");
        var config = fixture.WriteConfig($"fake:\n  hang: true\n  startedMarker: {marker}\n");
        using var child = Start(fixture, results, config);
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        try
        {
            await WaitForFileAsync(marker, child, TimeSpan.FromSeconds(60));
            var signalled = Stopwatch.StartNew();
            Assert.That(Kill(child.Id, SigTerm), Is.EqualTo(0), "kill(2) failed");
            using var exit = new CancellationTokenSource(Grace + TimeSpan.FromSeconds(15));
            await child.WaitForExitAsync(exit.Token);
            var afterSignal = signalled.Elapsed;

            var stdout = await output;
            Assert.Multiple(() =>
            {
                Assert.That(afterSignal, Is.LessThan(Grace + TimeSpan.FromSeconds(8)), "exits soon after the grace period");
                Assert.That(child.ExitCode, Is.EqualTo(1), stdout + errors.Result);
                Assert.That(stdout, Does.Contain("SIGTERM received"));
            });
            var done = Path.Combine(results, "done");
            Assert.That(File.Exists(done), Is.True, stdout);
            Assert.That(File.Exists((await File.ReadAllTextAsync(done)).Trim()), Is.True);
            var cases = SonobuoyJUnit.Read(Path.Combine(results, "junit.xml")).Single().Cases.ToDictionary(c => c.Name);
            Assert.Multiple(() =>
            {
                Assert.That(cases["TestRobustCRDControllerOperation/HangsIgnoringCancellation"].Failure,
                    Does.Contain("interrupted: the test did not finish within the cleanup grace period"));
                Assert.That(cases["TestRobustCRDControllerOperation/RunsAfterTheHangingTest"].Failure,
                    Does.Contain("interrupted: the run was stopped before this test started"));
                Assert.That(cases["TestAcceleratorResourceExposureAllocation/ClaimIsAllocated"].Status, Is.EqualTo("passed"));
                Assert.That(File.Exists(Path.Combine(results, "AIConformance-1.35.yaml")));
                Assert.That(File.ReadAllText(Path.Combine(results, "e2e.log")), Does.Contain("--- FAIL: TestRobustCRDControllerOperation/HangsIgnoringCancellation"));
            });
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process Start(RunFixture fixture, string results, string config)
    {
        var directory = TestContext.CurrentContext.TestDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = fixture.Directory.Path,
        };
        // The test project's runtime config and dependency list cover the plugin and these fixtures alike.
        foreach (var argument in new[]
                 {
                     "exec", "--runtimeconfig", Path.Combine(directory, "AiConformance.Plugin.Tests.runtimeconfig.json"),
                     "--depsfile", Path.Combine(directory, "AiConformance.Plugin.Tests.deps.json"),
                     Path.Combine(directory, "aiconformance.dll"), "run",
                     "--kubeconfig", fixture.Kubeconfig, "--config", config, "--cleanup-grace", $"{Grace.TotalSeconds}s",
                     "--requirement", "dra_support", "--requirement", "robust_controller",
                     "--suite-assembly", RunFixture.FixturesAssembly,
                 })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["SONOBUOY"] = "true";
        start.Environment["SONOBUOY_RESULTS_DIR"] = results;
        start.Environment["SONOBUOY_K8S_VERSION"] = "v1.35.0";
        start.Environment["SONOBUOY_PROGRESS_PORT"] = FakeApiServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Process.Start(start)!;
    }

    private static async Task WaitForFileAsync(string path, Process child, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (child.HasExited || clock.Elapsed > limit)
            {
                Assert.Fail($"the hanging test never started (exited: {child.HasExited}): {await child.StandardError.ReadToEndAsync()}");
            }
            await Task.Delay(50);
        }
    }
}
