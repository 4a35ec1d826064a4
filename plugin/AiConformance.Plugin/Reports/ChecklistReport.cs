using AiConformance.Checklist;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// The filled checklist (<c>AIConformance-1.NN.yaml</c>): the template with metadata from the <c>metadata.*</c>
/// configuration keys and each requirement's status, evidence and notes. A simulated run says so in a header comment,
/// in the metadata description and in every note, so it cannot pass for a submission.
/// </summary>
public static class ChecklistReport
{
    public static string Render(RunReport report)
    {
        var metadata = new Dictionary<string, string>(report.Metadata);
        var header = new List<string>();
        if (report.Simulated)
        {
            header.Add($"{report.SimulatedLabel}: filled by a run against the embedded simulated cluster.");
            header.Add("This file is a demonstration, NOT a conformance submission.");
            metadata["description"] = $"{report.SimulatedLabel} run of the AI conformance plugin; not a submission.";
        }
        header.Add($"Filled by aiconformance run {report.RunId} against Kubernetes {report.ServerVersion ?? "(unknown)"} on {report.Started.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        var missing = FilledChecklist.MissingMetadata(report.Checklist, metadata);
        if (missing.Count > 0)
        {
            header.Add($"Metadata still to fill (configuration keys metadata.<field>): {string.Join(", ", missing)}.");
        }
        header.Add("");
        var fillings = report.Requirements.ToDictionary(
            r => r.Requirement.Id,
            r => new RequirementFilling(r.Status.ChecklistText(), Evidence(r), report.Simulated ? $"{report.SimulatedLabel}: {r.Notes}" : r.Notes));
        return FilledChecklist.Render(report.Checklist, metadata, fillings, header);
    }

    /// <summary>The evidence list: the evidence file and the requirement's tests in junit.xml and e2e.log.</summary>
    public static IReadOnlyList<string> Evidence(RequirementReport requirement) =>
        requirement.Tests.Count == 0
            ? []
            : [requirement.EvidencePath, $"{JUnitReport.FileName}#{requirement.TestPrefix}", GoTestLog.FileName];
}
