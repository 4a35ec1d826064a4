using AiConformance.Plugin.Results;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.Support;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>
/// Tests run side by side through the in-process runner: two fixtures' tests that wait for each other both pass only
/// when they run at once; a test holding whole nodes runs beside neither; a stop while they run ends both and still
/// writes every report, each test's evidence and e2e.log lines together.
/// </summary>
public sealed class SideBySideRunTests
{
    private const string First = "TestAcceleratorDriverRuntimeManagement/FirstMeetsSecond";
    private const string Second = "TestAcceleratorDriverRuntimeManagement/SecondMeetsFirst";
    private const string WholeNodes = "TestAcceleratorDriverRuntimeManagement/HoldsWholeNodes";

    [Test]
    public async Task TestsWhoseHoldingsDoNotConflictRunAtOnceAndAConflictingOneRunsBesideNone()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("driver_runtime_management") with
        {
            ConfigPath = fixture.WriteConfig($"fake:\n  meetingPlace: {MeetingPlace(fixture)}\n"),
            Parallel = 3,
            // Only a safety net: run one at a time, the first test would wait for the second until this stops it.
            Timeout = TimeSpan.FromMinutes(2),
        };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        var tests = result.Tests.ToDictionary(t => t.Name);
        Assert.That(tests.Values.Where(t => t.Outcome != TestOutcome.Passed).Select(t => $"{t.Name}: {t.Outcome}: {t.Message}"), Is.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(Overlap(tests[WholeNodes], tests[First]) || Overlap(tests[WholeNodes], tests[Second]), Is.False,
                "the test holding whole nodes ran beside another test");
            Assert.That(tests[WholeNodes].Started + tests[WholeNodes].Duration, Is.LessThanOrEqualTo(tests[First].Started)
                    .And.LessThanOrEqualTo(tests[Second].Started),
                "the test that runs alone runs first, though its place is last; the others run together after it");
            Assert.That(tests[First].Output, Does.Contain("- first met second").And.Not.Contain("second met first"), "each test's evidence is its own");
            Assert.That(fixture.Output.ToString(), Does.Contain("aiconformance: --parallel 3; "));
            Assert.That(fixture.Output.ToString(), Does.Match(@"aiconformance: tests took [\d.]+ s of wall time; the longest [\d.]+ s \(TestAccelerator"));
            Assert.That(tests.Values.Where(t => t.RanAlone).Select(t => t.Name), Is.EqualTo(new[] { WholeNodes }));
            Assert.That(fixture.Output.ToString(), Does.Match($@"; side by side [\d.]+ s, the longest [\d.]+ s \(.+\), span/longest [\d.]+; alone first [\d.]+ s, the longest [\d.]+ s \({Regex.Escape(WholeNodes)}\); "));
        });
        var e2e = File.ReadAllText(Path.Combine(result.OutputDirectory, "e2e.log"));
        Assert.That(e2e, Does.Contain($"=== RUN   {First}\n=== PAUSE {First}\n").And.Contain($"=== CONT  {First}\n"),
            "go test -v's form of parallel subtests");
        Assert.That(e2e, Does.Match($@"\n    --- PASS: {Regex.Escape(First)} \(\d+\.\d\ds\)\n"));
    }

    [Test]
    public async Task AStopWhileTestsRunSideBySideEndsEachAndWritesEveryReport()
    {
        using var fixture = new RunFixture();
        var place = MeetingPlace(fixture);
        var request = fixture.Request("driver_runtime_management") with
        {
            ConfigPath = fixture.WriteConfig($"fake:\n  meetingPlace: {place}\n  waitForStop: true\n"),
            Parallel = 2,
            CleanupGrace = TimeSpan.FromSeconds(30),
        };
        using var stop = new CancellationTokenSource();
        var run = ConformanceRun.ExecuteAsync(request, stop.Token);
        // Stop (as SIGTERM does) once both tests are running at the same time and have written that they met.
        while (!(File.Exists(Path.Combine(place, "first-met")) && File.Exists(Path.Combine(place, "second-met"))) && !run.IsCompleted)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        var result = await run;

        var tests = result.Tests.ToDictionary(t => t.Name);
        Assert.Multiple(() =>
        {
            Assert.That(result.Interrupted, Is.True);
            Assert.That(tests[First].Message, Does.StartWith("interrupted: the run was stopped while this test ran"));
            Assert.That(tests[Second].Message, Does.StartWith("interrupted: the run was stopped while this test ran"));
            // It runs first, before they meet and the stop comes.
            var wholeNodes = tests[WholeNodes];
            Assert.That(wholeNodes.Outcome, Is.EqualTo(TestOutcome.Passed), $"the test holding whole nodes: {wholeNodes.Message}");
            Assert.That(Overlap(wholeNodes, tests[First]) || Overlap(wholeNodes, tests[Second]), Is.False, "the test holding whole nodes ran beside the others");
            Assert.That(File.Exists(Path.Combine(result.OutputDirectory, "AIConformance-1.35.yaml")));
            Assert.That(SonobuoyJUnit.Read(Path.Combine(result.OutputDirectory, "junit.xml")).Single().Cases.Where(c => c.Name is First or Second),
                Has.All.Property("Failure").Contains("interrupted"));
            Assert.That(File.ReadAllText(Path.Combine(result.OutputDirectory, "evidence", "driver_runtime_management.md")),
                Does.Contain("- first met second").And.Contain("- second met first"));
        });
    }

    private static string MeetingPlace(RunFixture fixture)
    {
        var place = fixture.Directory.File("meeting-place");
        Directory.CreateDirectory(place);
        return place;
    }

    private static bool Overlap(TestRecord a, TestRecord b) => a.Started < b.Started + b.Duration && b.Started < a.Started + a.Duration;
}
