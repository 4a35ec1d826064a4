using AiConformance.Plugin.Reports;
using AiConformance.Plugin.Results;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class RunTimingsTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static TestRecord Test(string name, double startSecond, double seconds, bool alone = false, string output = "") =>
        new($"TestX/{name}", "x", TestOutcome.Passed, "")
        {
            Started = Start.AddSeconds(startSecond),
            Duration = TimeSpan.FromSeconds(seconds),
            RanAlone = alone,
            Output = output,
        };

    [Test]
    public void WallOverTheLongestTestIsTheRatio()
    {
        var timings = RunTimings.Of([Test("A", 0, 10), Test("B", 0, 20), Test("C", 20, 5)], TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(timings.Longest?.Name, Is.EqualTo("TestX/B"));
            Assert.That(timings.Ratio, Is.EqualTo(1.5).Within(1e-9));
            Assert.That(timings.Together, Is.Null, "no test ran alone: the whole run is the side-by-side phase");
            Assert.That(timings.Alone, Is.Null);
            Assert.That(timings.Line, Is.EqualTo("tests took 30.0 s of wall time; the longest 20.0 s (TestX/B); wall/longest 1.50; accelerator-seconds held 0.0"));
        });
    }

    [Test]
    public void TestsThatRanAloneAreMeasuredApartFromThoseSideBySide()
    {
        var timings = RunTimings.Of(
            [Test("A", 0, 8), Test("B", 2, 10), Test("Alone", 12, 40, alone: true), Test("Last", 52, 30, alone: true)],
            TimeSpan.FromSeconds(82));
        var together = timings.Together!;
        var alone = timings.Alone!;
        Assert.Multiple(() =>
        {
            Assert.That(timings.Longest?.Name, Is.EqualTo("TestX/Alone"));
            Assert.That(together.Wall, Is.EqualTo(TimeSpan.FromSeconds(12)), "from the first start to the last end of the tests side by side");
            Assert.That(together.Longest?.Name, Is.EqualTo("TestX/B"));
            Assert.That(together.Ratio, Is.EqualTo(1.2).Within(1e-9));
            Assert.That(alone.Wall, Is.EqualTo(TimeSpan.FromSeconds(70)), "the tests that ran alone, one after the other");
            Assert.That(alone.Longest?.Name, Is.EqualTo("TestX/Alone"));
            Assert.That(timings.Line, Does.Contain("; side by side 12.0 s, the longest 10.0 s (TestX/B), span/longest 1.20; alone first 70.0 s, the longest 40.0 s (TestX/Alone); "));
        });
    }

    [Test]
    public void TestsThatNeverStartedTakeNoTimeAndNoTestGivesNoRatio()
    {
        var neverStarted = new TestRecord("TestX/NotStarted", "x", TestOutcome.Error, "not started");
        Assert.Multiple(() =>
        {
            Assert.That(RunTimings.Span([neverStarted, Test("A", 5, 3)]), Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(RunTimings.Of([], TimeSpan.FromSeconds(1)).RatioText, Is.EqualTo("n/a"));
            Assert.That(RunTimings.Of([neverStarted], TimeSpan.FromSeconds(1)).RatioText, Is.EqualTo("n/a"));
        });
    }

    [Test]
    public void AcceleratorSecondsAreSummedFromEachTestsEvidence()
    {
        var timings = RunTimings.Of(
            [Test("A", 0, 1, output: $"{Evidence.AcceleratorSecondsMarker}12.5\n"), Test("B", 0, 1, output: $"x\n{Evidence.AcceleratorSecondsMarker}2.5\n")],
            TimeSpan.FromSeconds(1));
        Assert.That(timings.AcceleratorSeconds, Is.EqualTo(15).Within(1e-9));
    }
}
