using System.Reflection;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Checklist;

/// <summary>The official checklist templates embedded in this assembly, parsed once.</summary>
public static class ChecklistCatalog
{
    private static readonly Lazy<IReadOnlyList<ChecklistVersion>> Loaded = new(LoadAll);

    /// <summary>Every embedded version, oldest first.</summary>
    public static IReadOnlyList<ChecklistVersion> Versions => Loaded.Value;

    public static ChecklistVersion Newest => Versions[^1];
    public static ChecklistVersion Oldest => Versions[0];

    /// <summary>The section of a requirement id, taken from the newest version that has it.</summary>
    public static string? SectionOf(string requirementId) =>
        Versions.Reverse().Select(v => v.Find(requirementId)).FirstOrDefault(r => r is not null)?.Section;

    /// <summary>Every requirement id of any version.</summary>
    public static IReadOnlySet<string> AllRequirementIds =>
        Versions.SelectMany(v => v.Requirements).Select(r => r.Id).ToHashSet();

    /// <summary>The version named like "v1.35" or "1.35"; null when it is not embedded.</summary>
    public static ChecklistVersion? Find(string version)
    {
        var normalized = version.Trim().TrimStart('v', 'V');
        return Versions.FirstOrDefault(v => v.Version.TrimStart('v') == normalized);
    }

    private static IReadOnlyList<ChecklistVersion> LoadAll()
    {
        var assembly = typeof(ChecklistCatalog).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("templates/", StringComparison.Ordinal))
            .Select(n => Parse(ReadResource(assembly, n)))
            .OrderBy(v => v.Minor)
            .ToList();
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Parses a checklist template (or a filled checklist) of the official shape.</summary>
    public static ChecklistVersion Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var metadata = (YamlMappingNode)root.Children[new YamlScalarNode("metadata")];
        var spec = (YamlMappingNode)root.Children[new YamlScalarNode("spec")];
        var version = Scalar(metadata, "kubernetesVersion");
        var sections = new List<string>();
        var requirements = new List<Requirement>();
        foreach (var (sectionKey, sectionValue) in spec.Children)
        {
            var section = ((YamlScalarNode)sectionKey).Value!;
            sections.Add(section);
            foreach (var item in ((YamlSequenceNode)sectionValue).Children.Cast<YamlMappingNode>())
            {
                requirements.Add(new Requirement(
                    Scalar(item, "id"), section, Scalar(item, "description"),
                    Scalar(item, "level") == "MUST" ? RequirementLevel.Must : RequirementLevel.Should));
            }
        }
        var minor = int.Parse(version.TrimStart('v').Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
        return new ChecklistVersion(
            version, minor,
            metadata.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList(),
            sections, requirements, yaml);
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : throw new FormatException($"checklist field '{key}' is missing");
}
