namespace AiConformance.Plugin.Results;

/// <summary>
/// Turns a requirement's test outcomes into its checklist status. Failures (errors and interruptions included) decide
/// first: some passed is Partially Implemented, none is Not Implemented. Otherwise a test that needs attestation
/// leaves the status empty for a person to fill; otherwise any pass is Implemented; otherwise (all not applicable) N/A.
/// A requirement without tests is never a pass: it needs attestation.
/// </summary>
public static class RequirementVerdict
{
    public const string NoAutomatedTest = "no automated test for this requirement in this version";

    /// <param name="withoutTests">Why the requirement has no automated test, when the suite says; used only when there are no tests.</param>
    public static (RequirementStatus Status, string Notes) Decide(IReadOnlyCollection<TestRecord> tests, string? withoutTests = null)
    {
        if (tests.Count == 0)
        {
            return (RequirementStatus.NeedsAttestation,
                $"Needs attestation: {withoutTests ?? NoAutomatedTest}; add evidence (documentation or a manual check) and set the status.");
        }
        var passed = tests.Count(t => t.Outcome == TestOutcome.Passed);
        var failed = tests.Where(t => t.IsFailure).ToList();
        var attestation = tests.Where(t => t.Outcome == TestOutcome.NeedsAttestation).ToList();
        var notApplicable = tests.Where(t => t.Outcome == TestOutcome.NotApplicable).ToList();
        if (failed.Count > 0)
        {
            var status = passed > 0 ? RequirementStatus.PartiallyImplemented : RequirementStatus.NotImplemented;
            return (status, Join($"{passed} of {tests.Count} tests passed", failed.Select(Line), attestation.Select(Line), notApplicable.Select(Line)));
        }
        if (attestation.Count > 0)
        {
            return (RequirementStatus.NeedsAttestation, Join(
                $"Needs attestation: {passed} of {tests.Count} tests passed; a person must add evidence for",
                attestation.Select(Line), notApplicable.Select(Line)));
        }
        if (passed > 0)
        {
            return (RequirementStatus.Implemented, Join($"{passed} of {tests.Count} tests passed", notApplicable.Select(Line)));
        }
        return (RequirementStatus.NotApplicable, Join("Not applicable", notApplicable.Select(Line)));
    }

    private static string Line(TestRecord test) =>
        $"{test.Name}: {(test.Message.Trim().Length == 0 ? "(no message)" : MessageSummary.Of(test.Message))}";

    private static string Join(string head, params IEnumerable<string>[] parts)
    {
        var lines = parts.SelectMany(p => p).ToList();
        return lines.Count == 0 ? head + "." : head + ". " + string.Join("; ", lines) + ".";
    }
}
