using System.Globalization;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// What a run cost: its wall time beside its longest single test (a run of tests side by side cannot be shorter than
/// that test; their ratio says how close it came) and the accelerator-seconds its tests held. When some tests must
/// run alone, the two groups are also measured the same way on their own: the span of the tests side by side says how
/// well they were packed; the tests that run alone go first, and run beside the others only once they give back a phase.
/// </summary>
public sealed record RunTimings(TimeSpan Wall, TestRecord? Longest, double AcceleratorSeconds)
{
    /// <summary>The tests that ran side by side, from the first one's start to the last one's end; null when no test ran alone.</summary>
    public RunTimings? Together { get; init; }

    /// <summary>The tests that must run alone (they go first, and may give back a phase to the others), measured alike; null when none did.</summary>
    public RunTimings? Alone { get; init; }

    public static RunTimings Of(IEnumerable<TestRecord> tests, TimeSpan wall)
    {
        var all = tests.ToList();
        var alone = all.Where(test => test.RanAlone).ToList();
        if (alone.Count == 0) return Measure(all, wall);
        var together = all.Where(test => !test.RanAlone).ToList();
        return Measure(all, wall) with { Together = Measure(together, Span(together)), Alone = Measure(alone, Span(alone)) };
    }

    /// <summary>From the first test's start to the last one's end (tests that never started take no time).</summary>
    public static TimeSpan Span(IEnumerable<TestRecord> tests) =>
        tests.Where(t => t.Started != default).ToList() is { Count: > 0 } ran
            ? ran.Max(t => t.Started + t.Duration) - ran.Min(t => t.Started)
            : TimeSpan.Zero;

    /// <summary>Wall time over the longest test's time; null when no test took any time.</summary>
    public double? Ratio => Longest is { Duration.TotalSeconds: > 0 } longest ? Wall / longest.Duration : null;

    public string WallText => $"{Seconds(Wall)} s";

    public string LongestText => Longest is null ? "none" : $"{Seconds(Longest.Duration)} s ({Longest.Name})";

    public string RatioText => Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>One line for the console after the run.</summary>
    public string Line =>
        $"tests took {WallText} of wall time; the longest {LongestText}; wall/longest {RatioText}; " +
        (Together is not null && Alone is not null
            ? $"side by side {Together.WallText}, the longest {Together.LongestText}, span/longest {Together.RatioText}; " +
              $"alone first {Alone.WallText}, the longest {Alone.LongestText}; "
            : "") +
        $"accelerator-seconds held {AcceleratorSeconds.ToString("0.0", CultureInfo.InvariantCulture)}";

    private static RunTimings Measure(IReadOnlyList<TestRecord> tests, TimeSpan wall) => new(
        wall,
        tests.MaxBy(test => test.Duration),
        tests.Sum(test => EvidenceReport.AcceleratorSeconds(test.Output)));

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
