using System.Globalization;
using System.Text;
using AiConformance.Plugin.Results;
using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// <c>evidence/&lt;id&gt;.md</c>: per requirement, its official text, the status the run gave it, and for each test its
/// outcome and the transcript the test recorded (what it created, what it observed).
/// </summary>
public static class EvidenceReport
{
    public static string Render(RunReport report, RequirementReport requirement)
    {
        var r = requirement.Requirement;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {r.Id} ({r.LevelText}, {r.Section}, checklist {report.Checklist.Version})\n\n");
        if (report.Simulated)
        {
            text.Append(CultureInfo.InvariantCulture, $"> **{report.SimulatedLabel}**: observed on the embedded simulated cluster; not evidence for a submission.\n\n");
        }
        text.Append("> ").Append(r.Description).Append("\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- status: **{requirement.Status.Display()}**\n");
        text.Append(CultureInfo.InvariantCulture, $"- notes: {requirement.Notes}\n");
        text.Append(CultureInfo.InvariantCulture, $"- run: `{report.RunId}`, cluster `{report.ServerVersion ?? "unknown"}`, started {report.Started.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC\n");
        var acceleratorSeconds = requirement.Tests.Sum(t => AcceleratorSeconds(t.Output));
        if (acceleratorSeconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"- accelerator-seconds held: {acceleratorSeconds:0.0}\n");
        }
        if (requirement.Tests.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nNo automated test covers this requirement in {report.Checklist.Version}: a person must add evidence and set the status.\n");
        }
        foreach (var test in requirement.Tests)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## {test.Name}: {GoTestLog.Verdict(test)} ({Describe(test.Outcome)}, {test.Duration.TotalSeconds:0.00}s)\n\n");
            if (test.Message.Length > 0)
            {
                text.Append("```\n").Append(test.Message.TrimEnd()).Append("\n```\n\n");
            }
            text.Append(test.Output.Trim().Length > 0 ? test.Output.TrimEnd() + "\n" : "_(the test recorded no transcript)_\n");
        }
        foreach (var fixture in requirement.FixtureOutputs)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## {fixture.Fixture}: shared setup and teardown\n\n").Append(fixture.Output.TrimEnd()).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Sum of the accelerator-seconds lines a test's transcript holds.</summary>
    public static double AcceleratorSeconds(string output) =>
        output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith(Evidence.AcceleratorSecondsMarker.Trim(), StringComparison.Ordinal))
            .Sum(l => double.TryParse(l[Evidence.AcceleratorSecondsMarker.Trim().Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 0);

    public static string Describe(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => "passed",
        TestOutcome.Failed => "failed",
        TestOutcome.Error => "error",
        TestOutcome.NotApplicable => "not applicable",
        _ => "needs attestation",
    };
}
