using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>
/// The nodes of a node pool, as a label selector in the API's syntax (<c>k=v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>,
/// <c>k in (a,b)</c>, <c>k notin (a,b)</c>, comma-separated): used to watch the pool's nodes and, as node affinity, to
/// keep the test's pods in it.
/// </summary>
public sealed record NodePoolSelector(string Text, IReadOnlyList<V1NodeSelectorRequirement> Requirements)
{
    public override string ToString() => Text;

    public static NodePoolSelector Parse(string text, string source)
    {
        var requirements = SplitTopLevel(text).Select(term => Requirement(term.Trim(), text, source)).ToList();
        if (requirements.Count == 0) throw Bad(text, source, "it is empty");
        return new NodePoolSelector(text.Trim(), requirements);
    }

    public bool Matches(IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        return Requirements.All(requirement => requirement.OperatorProperty switch
        {
            "In" => labels.TryGetValue(requirement.Key, out var value) && requirement.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(requirement.Key, out var value) || !requirement.Values.Contains(value),
            "Exists" => labels.ContainsKey(requirement.Key),
            _ => !labels.ContainsKey(requirement.Key),
        });
    }

    /// <summary>Required node affinity that keeps a pod on the pool's nodes.</summary>
    public V1Affinity ToAffinity() => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
            {
                NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [.. Requirements] }],
            },
        },
    };

    private static V1NodeSelectorRequirement Requirement(string term, string text, string source)
    {
        if (term.Length == 0) throw Bad(text, source, "it has an empty term");
        if (term.StartsWith('!')) return new V1NodeSelectorRequirement { Key = Key(term[1..], text, source), OperatorProperty = "DoesNotExist" };
        foreach (var (word, op) in new[] { (" notin ", "NotIn"), (" in ", "In") })
        {
            var at = term.IndexOf(word, StringComparison.Ordinal);
            if (at < 0) continue;
            var list = term[(at + word.Length)..].Trim();
            if (!list.StartsWith('(') || !list.EndsWith(')')) throw Bad(text, source, $"'{term}' needs its values in parentheses");
            var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new V1NodeSelectorRequirement { Key = Key(term[..at], text, source), OperatorProperty = op, Values = values };
        }
        foreach (var (sign, op) in new[] { ("!=", "NotIn"), ("==", "In"), ("=", "In") })
        {
            var at = term.IndexOf(sign, StringComparison.Ordinal);
            if (at < 0) continue;
            return new V1NodeSelectorRequirement { Key = Key(term[..at], text, source), OperatorProperty = op, Values = [term[(at + sign.Length)..].Trim()] };
        }
        return new V1NodeSelectorRequirement { Key = Key(term, text, source), OperatorProperty = "Exists" };
    }

    private static string Key(string key, string text, string source) =>
        key.Trim() is { Length: > 0 } trimmed && !trimmed.Any(char.IsWhiteSpace) ? trimmed : throw Bad(text, source, $"'{key}' is not a label key");

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        if (text[start..].Trim().Length > 0 || start > 0) yield return text[start..];
    }

    private static ConfigurationException Bad(string text, string source, string why) =>
        new($"{source} '{text}' is not a label selector: {why}; hint: give the labels of the accelerator pool's nodes, e.g. " +
            "`eks.amazonaws.com/nodegroup=gpu` or `karpenter.sh/nodepool in (gpu,gpu-spot)`");
}
