using System.Globalization;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// What a run cost: its wall time beside its longest single test (a run of tests side by side cannot be shorter than
/// that test; their ratio says how close it came) and the accelerator-seconds its tests held.
/// </summary>
public sealed record RunTimings(TimeSpan Wall, TestRecord? Longest, double AcceleratorSeconds)
{
    public static RunTimings Of(IEnumerable<TestRecord> tests, TimeSpan wall) => Of([.. tests], wall);

    private static RunTimings Of(IReadOnlyList<TestRecord> tests, TimeSpan wall) => new(
        wall,
        tests.MaxBy(test => test.Duration),
        tests.Sum(test => EvidenceReport.AcceleratorSeconds(test.Output)));

    /// <summary>Wall time over the longest test's time; null when no test took any time.</summary>
    public double? Ratio => Longest is { Duration.TotalSeconds: > 0 } longest ? Wall / longest.Duration : null;

    public string LongestText => Longest is null ? "none" : $"{Seconds(Longest.Duration)} s ({Longest.Name})";

    public string RatioText => Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>One line for the console after the run.</summary>
    public string Line =>
        $"tests took {Seconds(Wall)} s of wall time; the longest {LongestText}; wall/longest {RatioText}; " +
        $"accelerator-seconds held {AcceleratorSeconds.ToString("0.0", CultureInfo.InvariantCulture)}";

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
