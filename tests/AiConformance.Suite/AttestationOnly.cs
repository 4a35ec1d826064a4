namespace AiConformance.Suite;

/// <summary>
/// The one list of requirements that the Suite has no fixture for, each with why and what a person attests instead.
/// A self-test fails when a requirement of an embedded checklist has neither a fixture nor an entry here, and when an
/// entry here has a fixture too, so the list shrinks as fixtures land. The runner writes the reason as the note of
/// such a requirement, whose status it leaves empty for that person.
/// </summary>
public static class AttestationOnly
{
    public static IReadOnlyDictionary<string, string> Requirements { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    /// <summary>Why the requirement has no automated test and what a person attests; null when it has fixtures.</summary>
    public static string? ReasonFor(string requirementId) => Requirements.GetValueOrDefault(requirementId);
}
