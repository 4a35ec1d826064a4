namespace AiConformance.Plugin.Results;

/// <summary>A requirement's status in the filled checklist.</summary>
public enum RequirementStatus { Implemented, PartiallyImplemented, NotImplemented, NotApplicable, NeedsAttestation }

/// <summary>The checklist's spelling of each <see cref="RequirementStatus"/>, and what a status means for a MUST.</summary>
public static class RequirementStatuses
{
    /// <summary>The text written into the checklist; needs attestation is the empty status a person fills.</summary>
    public static string ChecklistText(this RequirementStatus status) => status switch
    {
        RequirementStatus.Implemented => "Implemented",
        RequirementStatus.PartiallyImplemented => "Partially Implemented",
        RequirementStatus.NotImplemented => "Not Implemented",
        RequirementStatus.NotApplicable => "N/A",
        _ => "",
    };

    /// <summary>The status a checklist's text names; null for text that is no status.</summary>
    public static RequirementStatus? Parse(string text) =>
        Enum.GetValues<RequirementStatus>().Cast<RequirementStatus?>().FirstOrDefault(s => s!.Value.ChecklistText() == text);

    /// <summary>What a reader is shown for the status: the checklist text, or "(needs attestation)" for the empty one.</summary>
    public static string Display(this RequirementStatus status) =>
        status == RequirementStatus.NeedsAttestation ? "(needs attestation)" : status.ChecklistText();

    /// <summary>Whether a MUST requirement with this status lets the run exit 0.</summary>
    public static bool SatisfiesMust(this RequirementStatus status) =>
        status is RequirementStatus.Implemented or RequirementStatus.NotApplicable;
}
