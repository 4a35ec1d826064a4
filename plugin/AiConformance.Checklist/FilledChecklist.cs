using System.Text;
using System.Text.RegularExpressions;

namespace AiConformance.Checklist;

/// <summary>What the run found for one requirement: the checklist's <c>status</c>, <c>evidence</c> and <c>notes</c>.</summary>
public sealed record RequirementFilling(string Status, IReadOnlyList<string> Evidence, string Notes);

/// <summary>
/// Writes a filled checklist by editing the template's text line by line, so that the official ids, descriptions,
/// levels, comments and key order stay byte for byte as published; only metadata values and each requirement's
/// status, evidence and notes change.
/// </summary>
public static partial class FilledChecklist
{
    /// <summary>Metadata fields whose template value is still a <c>[placeholder]</c> after filling.</summary>
    public static IReadOnlyList<string> MissingMetadata(ChecklistVersion template, IReadOnlyDictionary<string, string> metadata) =>
        TemplateMetadata(template)
            .Where(field => IsPlaceholder(field.Value) && !metadata.ContainsKey(field.Key))
            .Select(field => field.Key)
            .ToList();

    /// <summary>The template with <paramref name="metadata"/> and <paramref name="fillings"/> written in.</summary>
    /// <param name="headerComment">Extra comment lines put first, e.g. a SIMULATED warning.</param>
    public static string Render(
        ChecklistVersion template,
        IReadOnlyDictionary<string, string> metadata,
        IReadOnlyDictionary<string, RequirementFilling> fillings,
        IReadOnlyList<string> headerComment)
    {
        var output = new StringBuilder();
        foreach (var line in headerComment)
        {
            output.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
        }
        var inMetadata = false;
        RequirementFilling? current = null;
        foreach (var line in template.TemplateText.Replace("\r\n", "\n").Split('\n'))
        {
            if (TopLevelKey().IsMatch(line))
            {
                inMetadata = line.StartsWith("metadata:", StringComparison.Ordinal);
                current = null;
            }
            var field = FieldLine().Match(line);
            var requirementId = RequirementIdLine().Match(line);
            if (requirementId.Success)
            {
                current = fillings.GetValueOrDefault(Unquote(requirementId.Groups["value"].Value));
            }
            output.Append(Rewrite(line, field, inMetadata, current, metadata)).Append('\n');
        }
        return output.ToString().TrimEnd('\n') + "\n";
    }

    private static string Rewrite(
        string line, Match field, bool inMetadata, RequirementFilling? current, IReadOnlyDictionary<string, string> metadata)
    {
        if (!field.Success)
        {
            return line;
        }
        var indent = field.Groups["indent"].Value;
        var key = field.Groups["key"].Value;
        if (inMetadata && indent.Length == 2 && key != "kubernetesVersion" && metadata.TryGetValue(key, out var value))
        {
            return $"{indent}{key}: {Quote(value)}";
        }
        if (current is null || inMetadata)
        {
            return line;
        }
        return key switch
        {
            "status" => $"{indent}status: {Quote(current.Status)}",
            "notes" => $"{indent}notes: {Quote(current.Notes)}",
            "evidence" => current.Evidence.Count == 0
                ? $"{indent}evidence: []"
                : $"{indent}evidence:\n" + string.Join("\n", current.Evidence.Select(e => $"{indent}  - {Quote(e)}")),
            _ => line,
        };
    }

    private static IEnumerable<KeyValuePair<string, string>> TemplateMetadata(ChecklistVersion template)
    {
        var inMetadata = false;
        foreach (var line in template.TemplateText.Replace("\r\n", "\n").Split('\n'))
        {
            if (TopLevelKey().IsMatch(line))
            {
                inMetadata = line.StartsWith("metadata:", StringComparison.Ordinal);
                continue;
            }
            var field = FieldLine().Match(line);
            if (inMetadata && field.Success && field.Groups["indent"].Value.Length == 2)
            {
                yield return new(field.Groups["key"].Value, Unquote(field.Groups["value"].Value));
            }
        }
    }

    private static bool IsPlaceholder(string value) => value.StartsWith('[') && value.EndsWith(']');

    private static string Unquote(string value)
    {
        var trimmed = value.Trim();
        return trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"' ? trimmed[1..^1] : trimmed;
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    public static string Quote(string value)
    {
        var escaped = new StringBuilder("\"");
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return escaped.Append('"').ToString();
    }

    [GeneratedRegex(@"^[A-Za-z]\w*:")]
    private static partial Regex TopLevelKey();

    [GeneratedRegex(@"^(?<indent>\s+)(?<key>[A-Za-z]\w*):\s*(?<value>.*)$")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^\s+- id:\s*(?<value>.+)$")]
    private static partial Regex RequirementIdLine();
}
