using System.Globalization;
using System.Text;
using AiConformance.Checklist;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary><c>summary.md</c> and the console table printed at the end of a run.</summary>
public static class SummaryReport
{
    public const string FileName = "summary.md";

    private static readonly string[] Headings = ["Requirement", "Level", "Status", "Passed", "Failed", "Skipped"];

    public static string RenderMarkdown(RunReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# AI conformance run {report.RunId}: checklist {report.Checklist.Version}\n\n");
        if (report.Simulated)
        {
            text.Append(CultureInfo.InvariantCulture, $"> **{report.SimulatedLabel}**: run against the embedded simulated cluster. Not a conformance result.\n\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"- cluster: Kubernetes {report.ServerVersion ?? "(unknown)"}\n");
        text.Append(CultureInfo.InvariantCulture, $"- started: {report.Started.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, took {report.Duration.TotalSeconds:0.0}s\n");
        text.Append(CultureInfo.InvariantCulture, $"- verdict: {Verdict(report)}\n");
        var acceleratorSeconds = report.Tests.Sum(t => EvidenceReport.AcceleratorSeconds(t.Output));
        text.Append(CultureInfo.InvariantCulture, $"- accelerator-seconds held by the tests: {acceleratorSeconds:0.0}\n");
        if (report.Interrupted)
        {
            text.Append("- the run was interrupted (deadline or signal); unfinished tests are recorded as errors\n");
        }
        text.Append('\n');
        text.Append("| ").Append(string.Join(" | ", Headings)).Append(" |\n");
        text.Append('|').Append(string.Concat(Headings.Select(_ => " --- |"))).Append('\n');
        foreach (var row in Rows(report))
        {
            text.Append("| ").Append(string.Join(" | ", row.Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        }
        var failures = report.Tests.Where(t => t.IsFailure).ToList();
        if (failures.Count > 0)
        {
            text.Append("\n## Failures\n\n");
            foreach (var test in failures)
            {
                text.Append(CultureInfo.InvariantCulture, $"- `{test.Name}`: {MessageSummary.Of(test.Message)}\n");
            }
        }
        text.Append("\nDetails: `junit.xml`, `e2e.log`, `evidence/`, and the filled checklist `")
            .Append(report.Checklist.FileName).Append("`.\n");
        return text.ToString();
    }

    /// <summary>A plain table with aligned columns, for the console.</summary>
    public static string RenderTable(RunReport report)
    {
        var rows = new List<IReadOnlyList<string>> { Headings };
        rows.AddRange(Rows(report));
        var widths = Enumerable.Range(0, Headings.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, i) => i >= 3 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
        }
        return text.ToString();
    }

    public static string Verdict(RunReport report) => report.ExitCode switch
    {
        0 => "every selected MUST requirement is Implemented or N/A (exit 0)",
        1 => "some selected MUST requirement is not Implemented (exit 1)",
        var code => $"exit {code}",
    };

    private static IEnumerable<IReadOnlyList<string>> Rows(RunReport report) =>
        report.Requirements.Select(r => (IReadOnlyList<string>)
        [
            r.Requirement.Id,
            r.Requirement.LevelText,
            r.Status.Display(),
            r.Passed.ToString(CultureInfo.InvariantCulture),
            r.Failed.ToString(CultureInfo.InvariantCulture),
            r.Skipped.ToString(CultureInfo.InvariantCulture),
        ]);
}
