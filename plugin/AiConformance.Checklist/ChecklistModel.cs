namespace AiConformance.Checklist;

/// <summary>MUST or SHOULD, as the checklist template of one version says.</summary>
public enum RequirementLevel { Must, Should }

/// <summary>One requirement of one checklist version, with the official text unchanged.</summary>
public sealed record Requirement(string Id, string Section, string Description, RequirementLevel Level)
{
    public string LevelText => Level == RequirementLevel.Must ? "MUST" : "SHOULD";
}

/// <summary>One official checklist template (e.g. v1.35): metadata fields, sections and requirements in template order.</summary>
public sealed record ChecklistVersion(
    string Version,
    int Minor,
    IReadOnlyList<string> MetadataFields,
    IReadOnlyList<string> Sections,
    IReadOnlyList<Requirement> Requirements,
    string TemplateText)
{
    public Requirement? Find(string id) => Requirements.FirstOrDefault(r => r.Id == id);

    /// <summary>File name the filled checklist is written under, e.g. AIConformance-1.35.yaml.</summary>
    public string FileName => $"AIConformance-1.{Minor}.yaml";
}
