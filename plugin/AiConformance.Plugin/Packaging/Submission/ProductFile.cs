using AiConformance.Plugin.Results;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>A metadata value as written: the text and whether YAML reads it as a string.</summary>
public sealed record MetadataValue(string Text, bool IsString);

/// <summary>One requirement entry of a filled checklist; <see cref="Status"/> is the text as written.</summary>
public sealed record ProductRequirement(
    string Section, string Id, string Description, string Level, string Status, IReadOnlyList<string> Evidence, string Notes)
{
    /// <summary>The status the text names (the empty text: needs attestation); null for text that is no status.</summary>
    public RequirementStatus? KnownStatus => RequirementStatuses.Parse(Status);
}

/// <summary>
/// A filled AI conformance checklist (<c>PRODUCT.yaml</c>, or the run's <c>AIConformance-1.NN.yaml</c>) as data: the
/// metadata values with their YAML typing, and every requirement entry by section.
/// </summary>
public sealed class ProductFile
{
    public required IReadOnlyDictionary<string, MetadataValue> Metadata { get; init; }
    public required IReadOnlyList<string> Sections { get; init; }
    public required IReadOnlyList<ProductRequirement> Requirements { get; init; }

    public string? MetadataText(string key) => Metadata.TryGetValue(key, out var value) ? value.Text : null;

    /// <exception cref="FormatException">The text is not YAML of the checklist's shape.</exception>
    public static ProductFile Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"line {e.Start.Line}: malformed YAML");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new FormatException("the file is not a YAML map with 'metadata' and 'spec'");
        }
        var metadata = new Dictionary<string, MetadataValue>(StringComparer.Ordinal);
        if (Child(root, "metadata") is YamlMappingNode metadataNode)
        {
            foreach (var (key, value) in metadataNode.Children)
            {
                metadata[((YamlScalarNode)key).Value ?? ""] = value is YamlScalarNode scalar
                    ? new MetadataValue(scalar.Value ?? "", IsString(scalar))
                    : new MetadataValue("", false);
            }
        }
        var sections = new List<string>();
        var requirements = new List<ProductRequirement>();
        if (Child(root, "spec") is YamlMappingNode spec)
        {
            foreach (var (key, value) in spec.Children)
            {
                var section = ((YamlScalarNode)key).Value ?? "";
                sections.Add(section);
                if (value is not YamlSequenceNode items)
                {
                    continue;
                }
                foreach (var item in items.Children.OfType<YamlMappingNode>())
                {
                    requirements.Add(new ProductRequirement(
                        section, Scalar(item, "id"), Scalar(item, "description"), Scalar(item, "level"), Scalar(item, "status"),
                        Child(item, "evidence") is YamlSequenceNode evidence
                            ? evidence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
                            : [],
                        Scalar(item, "notes")));
                }
            }
        }
        return new ProductFile { Metadata = metadata, Sections = sections, Requirements = requirements };
    }

    /// <summary>
    /// What a YAML 1.1 reader such as the validator's Go decoder makes of a scalar: quoted scalars are strings; plain
    /// ones are strings unless they read as a number, boolean or null (<c>1.35</c> is a float, not the text "1.35").
    /// </summary>
    private static bool IsString(YamlScalarNode scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return true;
        }
        var value = scalar.Value ?? "";
        return !(value.Length == 0
            || value is "~" or "null" or "Null" or "NULL"
            || value.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n"
            || System.Text.RegularExpressions.Regex.IsMatch(value, @"^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$") && value.Any(char.IsDigit)
            || System.Text.RegularExpressions.Regex.IsMatch(value, @"^[-+]?0x[0-9a-fA-F_]+$"));
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string Scalar(YamlMappingNode node, string key) =>
        Child(node, key) is YamlScalarNode scalar ? scalar.Value ?? "" : "";
}
