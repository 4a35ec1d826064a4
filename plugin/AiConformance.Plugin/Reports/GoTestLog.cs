using System.Globalization;
using System.Text;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// <c>e2e.log</c>: the run in <c>go test -v</c> form (<c>=== RUN</c>, <c>--- PASS:</c>, <c>--- FAIL:</c>,
/// <c>--- SKIP:</c>), because the CNCF validator reads a file of that name for exactly those lines. Each requirement is
/// a parent test and its tests are subtests, as the upstream Go suite lays them out. Only a pass prints PASS: a test
/// that needs attestation or does not apply prints SKIP with its reason, as <c>t.Skip</c> does. When tests ran side
/// by side the subtests read as <c>t.Parallel()</c> ones do: <c>=== PAUSE</c> after each start, <c>=== CONT</c> for each,
/// then every result with its own lines beneath it, and the parent's time is the span they took together.
/// </summary>
public static class GoTestLog
{
    public const string FileName = "e2e.log";

    public static string Render(RunReport report)
    {
        var log = new StringBuilder();
        if (report.Simulated)
        {
            log.Append(CultureInfo.InvariantCulture, $"# {report.SimulatedLabel}: run against the embedded simulated cluster; not a submission\n");
        }
        foreach (var requirement in report.Requirements.Where(r => r.Tests.Count > 0))
        {
            var parent = requirement.TestPrefix;
            log.Append(CultureInfo.InvariantCulture, $"=== RUN   {parent}\n");
            var parallel = report.Parallel > 1;
            foreach (var test in requirement.Tests)
            {
                log.Append(CultureInfo.InvariantCulture, $"=== RUN   {test.Name}\n");
                if (parallel) log.Append(CultureInfo.InvariantCulture, $"=== PAUSE {test.Name}\n");
            }
            if (parallel)
            {
                foreach (var test in requirement.Tests.OrderBy(t => t.Started))
                {
                    log.Append(CultureInfo.InvariantCulture, $"=== CONT  {test.Name}\n");
                }
            }
            // PASS only for a requirement its tests prove: one that needs attestation is skipped, as its tests are.
            var parentVerdict = requirement.Failed > 0 ? "FAIL" : requirement.Status == RequirementStatus.Implemented ? "PASS" : "SKIP";
            var total = parallel ? RunTimings.Span(requirement.Tests) : requirement.Tests.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration);
            log.Append(CultureInfo.InvariantCulture, $"--- {parentVerdict}: {parent} ({Seconds(total)})\n");
            foreach (var test in requirement.Tests)
            {
                log.Append(CultureInfo.InvariantCulture, $"    --- {Verdict(test)}: {test.Name} ({Seconds(test.Duration)})\n");
                foreach (var line in Explanation(test))
                {
                    log.Append("        ").Append(line).Append('\n');
                }
            }
        }
        var failed = report.Requirements.Any(r => r.Failed > 0);
        log.Append(failed ? "FAIL\n" : "PASS\n");
        return log.ToString();
    }

    public static string Verdict(TestRecord test) => test.Outcome switch
    {
        TestOutcome.Passed => "PASS",
        TestOutcome.Failed or TestOutcome.Error => "FAIL",
        _ => "SKIP",
    };

    private static IEnumerable<string> Explanation(TestRecord test) => test.Outcome switch
    {
        TestOutcome.Passed => [],
        TestOutcome.NotApplicable => Lines("not applicable: " + test.Message),
        TestOutcome.NeedsAttestation => Lines("needs attestation: " + test.Message),
        _ => Lines(test.Message),
    };

    private static IEnumerable<string> Lines(string text) =>
        text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);

    private static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
