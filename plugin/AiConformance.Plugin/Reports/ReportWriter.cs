namespace AiConformance.Plugin.Reports;

/// <summary>Writes every report of a run into its results folder.</summary>
public static class ReportWriter
{
    public static void WriteAll(string directory, RunReport report)
    {
        Directory.CreateDirectory(Path.Combine(directory, "evidence"));
        JUnitReport.Write(Path.Combine(directory, JUnitReport.FileName), report);
        File.WriteAllText(Path.Combine(directory, GoTestLog.FileName), GoTestLog.Render(report));
        File.WriteAllText(Path.Combine(directory, report.Checklist.FileName), ChecklistReport.Render(report));
        foreach (var requirement in report.Requirements)
        {
            File.WriteAllText(Path.Combine(directory, requirement.EvidencePath), EvidenceReport.Render(report, requirement));
        }
        File.WriteAllText(Path.Combine(directory, SummaryReport.FileName), SummaryReport.RenderMarkdown(report));
    }
}
