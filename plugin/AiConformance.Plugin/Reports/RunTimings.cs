using System.Globalization;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// What a run cost: its wall time beside its longest single test (a run of tests side by side cannot be shorter than
/// that test; their ratio says how close it came) and the accelerator-seconds its tests held. When some tests ran
/// alone, the same measure for the tests that ran side by side before them, since the tests that run alone add their
/// own time whatever the others do.
/// </summary>
public sealed record RunTimings(TimeSpan Wall, TestRecord? Longest, double AcceleratorSeconds)
{
    /// <summary>The tests that ran side by side; null when no test ran alone (the whole run is that phase).</summary>
    public SideBySidePhase? SideBySide { get; init; }

    public static RunTimings Of(IEnumerable<TestRecord> tests, TimeSpan wall) => Of([.. tests], wall);

    private static RunTimings Of(IReadOnlyList<TestRecord> tests, TimeSpan wall) => new(
        wall,
        tests.MaxBy(test => test.Duration),
        tests.Sum(test => EvidenceReport.AcceleratorSeconds(test.Output)))
    {
        SideBySide = tests.Any(test => test.RanAlone) ? SideBySidePhase.Of(tests) : null,
    };

    /// <summary>From the first test's start to the last one's end (tests that never started take no time).</summary>
    public static TimeSpan Span(IEnumerable<TestRecord> tests) =>
        tests.Where(t => t.Started != default).ToList() is { Count: > 0 } ran
            ? ran.Max(t => t.Started + t.Duration) - ran.Min(t => t.Started)
            : TimeSpan.Zero;

    /// <summary>Wall time over the longest test's time; null when no test took any time.</summary>
    public double? Ratio => RatioOf(Wall, Longest);

    public string LongestText => TestText(Longest);

    public string RatioText => RatioTextOf(Ratio);

    /// <summary>One line for the console after the run.</summary>
    public string Line =>
        $"tests took {Seconds(Wall)} s of wall time; the longest {LongestText}; wall/longest {RatioText}; " +
        (SideBySide is { } phase ? $"{phase.Text}; " : "") +
        $"accelerator-seconds held {AcceleratorSeconds.ToString("0.0", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The tests that ran side by side, measured as the whole run is: from the first one's start to the last one's end,
    /// beside the longest of them; and the time the tests that ran alone took after them.
    /// </summary>
    public sealed record SideBySidePhase(TimeSpan Span, TestRecord? Longest, int AloneCount, TimeSpan AloneTime)
    {
        public static SideBySidePhase Of(IReadOnlyList<TestRecord> tests)
        {
            var together = tests.Where(test => !test.RanAlone).ToList();
            var alone = tests.Where(test => test.RanAlone).ToList();
            return new(RunTimings.Span(together), together.MaxBy(test => test.Duration), alone.Count,
                TimeSpan.FromTicks(alone.Sum(test => test.Duration.Ticks)));
        }

        public double? Ratio => RatioOf(Span, Longest);

        public string RatioText => RatioTextOf(Ratio);

        public string LongestText => TestText(Longest);

        public string AloneText => $"{Seconds(AloneTime)} s for {AloneCount} test(s) that ran alone";

        public string Text =>
            $"side by side {Seconds(Span)} s, the longest {LongestText}, span/longest {RatioText}; then {AloneText}";
    }

    private static double? RatioOf(TimeSpan span, TestRecord? longest) =>
        longest is { Duration.TotalSeconds: > 0 } ? span / longest.Duration : null;

    private static string RatioTextOf(double? ratio) => ratio is { } value ? value.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string TestText(TestRecord? test) => test is null ? "none" : $"{Seconds(test.Duration)} s ({test.Name})";

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
