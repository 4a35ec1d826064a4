using AiConformance.Checklist;

namespace AiConformance.Plugin.Running;

/// <summary>
/// The requirements of one checklist version that the filters (--level, --section, --requirement,
/// --skip-requirement) select. Names that the version does not know are usage errors, with what it does know.
/// </summary>
public static class RequirementSelection
{
    public static IReadOnlyList<Requirement> Select(
        ChecklistVersion checklist,
        IReadOnlyCollection<string> levels,
        IReadOnlyCollection<string> sections,
        IReadOnlyCollection<string> requirements,
        IReadOnlyCollection<string> skipRequirements)
    {
        var wantedLevels = levels.Select(ParseLevel).ToHashSet();
        foreach (var section in sections.Where(s => !checklist.Sections.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            throw Usage($"unknown section '{section}' in checklist {checklist.Version}; its sections are {string.Join(", ", checklist.Sections)}");
        }
        foreach (var id in requirements.Concat(skipRequirements))
        {
            CheckKnown(checklist, id);
        }
        return checklist.Requirements
            .Where(r => wantedLevels.Count == 0 || wantedLevels.Contains(r.Level))
            .Where(r => sections.Count == 0 || sections.Contains(r.Section, StringComparer.OrdinalIgnoreCase))
            .Where(r => requirements.Count == 0 || requirements.Contains(r.Id))
            .Where(r => !skipRequirements.Contains(r.Id))
            .ToList();
    }

    /// <summary>Whether the text names a level (MUST or SHOULD, in any case).</summary>
    public static bool IsLevel(string level) => TryParseLevel(level) is not null;

    private static RequirementLevel ParseLevel(string level) =>
        TryParseLevel(level) ?? throw Usage($"unknown level '{level}'; use MUST or SHOULD");

    private static RequirementLevel? TryParseLevel(string level) => level.Trim().ToUpperInvariant() switch
    {
        "MUST" => RequirementLevel.Must,
        "SHOULD" => RequirementLevel.Should,
        _ => null,
    };

    private static void CheckKnown(ChecklistVersion checklist, string id)
    {
        if (checklist.Find(id) is not null)
        {
            return;
        }
        var elsewhere = ChecklistCatalog.Versions.Where(v => v.Find(id) is not null).Select(v => v.Version).ToList();
        throw Usage(elsewhere.Count > 0
            ? $"requirement '{id}' is not part of checklist {checklist.Version} (it is in {string.Join(", ", elsewhere)}); pick another --checklist or drop it"
            : $"unknown requirement '{id}'; run 'aiconformance list --checklist {checklist.Version}' to see the ids");
    }

    private static RunSetupException Usage(string message) => new(ExitCodes.UsageError, message);
}
