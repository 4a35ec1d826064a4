using System.Globalization;
using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Store;

/// <summary>The operators of a label requirement, as apimachinery's <c>selection.Operator</c> has them.</summary>
public enum SelectorOperator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan }

/// <summary>One requirement of a selector: a key, an operator and its values.</summary>
public sealed record LabelRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            SelectorOperator.Equals or SelectorOperator.In => present && Values.Contains(value!),
            // A missing key satisfies != and notin, as on a real cluster.
            SelectorOperator.NotEquals or SelectorOperator.NotIn => !present || !Values.Contains(value!),
            SelectorOperator.Exists => present,
            SelectorOperator.DoesNotExist => !present,
            SelectorOperator.GreaterThan => present && Compare(value!) > 0,
            SelectorOperator.LessThan => present && Compare(value!) < 0,
            _ => false,
        };
    }

    /// <summary>Gt/Lt compare integers; a value that is not one never matches.</summary>
    private int Compare(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
        && Values.Count == 1 && long.TryParse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound)
            ? number.CompareTo(bound)
            : 0;

    public override string ToString() => Operator switch
    {
        SelectorOperator.Equals => $"{Key}={Values[0]}",
        SelectorOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectorOperator.In => $"{Key} in ({string.Join(',', Values.Order(StringComparer.Ordinal))})",
        SelectorOperator.NotIn => $"{Key} notin ({string.Join(',', Values.Order(StringComparer.Ordinal))})",
        SelectorOperator.Exists => Key,
        SelectorOperator.DoesNotExist => "!" + Key,
        SelectorOperator.GreaterThan => $"{Key}>{Values[0]}",
        _ => $"{Key}<{Values[0]}",
    };
}

/// <summary>
/// The one label-selector matcher of the simulated cluster, in every form the API writes a selector: the query string
/// of list and watch (<c>a=b,c!=d,e in (x,y),f notin (z),g,!h</c>), a label map (a Service's or a pod's
/// <c>nodeSelector</c>), a <c>LabelSelector</c> (<c>matchLabels</c> and <c>matchExpressions</c>, as workloads, HPAs and
/// routes use) and node-selector requirements (with <c>Gt</c>/<c>Lt</c>). Its semantics are apimachinery's: an empty
/// selector selects everything, a null LabelSelector nothing.
/// </summary>
public sealed class LabelSelector
{
    private readonly bool selectsNothing;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool selectsNothing = false)
    {
        Requirements = [.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)];
        this.selectsNothing = selectsNothing;
    }

    public static LabelSelector Everything { get; } = new([]);

    public static LabelSelector Nothing { get; } = new([], selectsNothing: true);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEverything => !selectsNothing && Requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => !selectsNothing && Requirements.All(r => r.Matches(labels));

    public bool Matches(JsonObject obj) => Matches(obj.Labels());

    /// <summary>The canonical text (requirements sorted by key), as a Scale's <c>status.selector</c> shows it.</summary>
    public override string ToString() => string.Join(',', Requirements);

    /// <summary>A label map: every pair must be present (a Service's selector, a pod's nodeSelector).</summary>
    public static LabelSelector FromMap(JsonNode? map) =>
        new([.. ObjectMeta.StringMap(map).Select(pair => new LabelRequirement(pair.Key, SelectorOperator.Equals, [pair.Value]))]);

    /// <summary>A <c>LabelSelector</c> object; null selects nothing, <c>{}</c> everything.</summary>
    public static LabelSelector FromLabelSelector(JsonNode? selector)
    {
        if (selector is not JsonObject body) return Nothing;
        var requirements = FromMap(body["matchLabels"]).Requirements.ToList();
        requirements.AddRange(FromExpressions(body["matchExpressions"] as JsonArray).Requirements);
        return new LabelSelector(requirements);
    }

    /// <summary><c>matchExpressions</c> of a LabelSelector or a node selector term (<c>key</c>, <c>operator</c>, <c>values</c>).</summary>
    public static LabelSelector FromExpressions(JsonArray? expressions)
    {
        var requirements = new List<LabelRequirement>();
        foreach (var expression in (expressions ?? []).OfType<JsonObject>())
        {
            var values = (expression["values"] as JsonArray ?? []).Select(v => (string?)v ?? "").ToList();
            SelectorOperator? op = (string?)expression["operator"] switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                "Gt" => SelectorOperator.GreaterThan,
                "Lt" => SelectorOperator.LessThan,
                _ => null,
            };
            // An operator the API would have refused cannot match anything.
            if (op is null) return Nothing;
            requirements.Add(new LabelRequirement((string?)expression["key"] ?? "", op.Value, values));
        }
        return new LabelSelector(requirements);
    }

    /// <summary>The query-string form of list and watch; a malformed one is the API's 400 Bad Request.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var requirements = new List<LabelRequirement>();
        foreach (var term in SplitTerms(text).Select(t => t.Trim()).Where(t => t.Length > 0))
            requirements.Add(ParseTerm(term, text));
        return new LabelSelector(requirements);
    }

    private static LabelRequirement ParseTerm(string term, string selector)
    {
        var notInAt = term.IndexOf(" notin ", StringComparison.Ordinal);
        if (notInAt > 0) return new(term[..notInAt].Trim(), SelectorOperator.NotIn, SetValues(term[(notInAt + 7)..], selector));
        var inAt = term.IndexOf(" in ", StringComparison.Ordinal);
        if (inAt > 0) return new(term[..inAt].Trim(), SelectorOperator.In, SetValues(term[(inAt + 4)..], selector));
        foreach (var (symbol, op) in new[]
                 {
                     ("!=", SelectorOperator.NotEquals), ("==", SelectorOperator.Equals), ("=", SelectorOperator.Equals),
                     (">", SelectorOperator.GreaterThan), ("<", SelectorOperator.LessThan),
                 })
        {
            var at = term.IndexOf(symbol, StringComparison.Ordinal);
            if (at > 0) return new(term[..at].Trim(), op, [term[(at + symbol.Length)..].Trim()]);
        }
        return term.StartsWith('!')
            ? new(term[1..].Trim(), SelectorOperator.DoesNotExist, [])
            : new(term, SelectorOperator.Exists, []);
    }

    private static IEnumerable<string> SplitTerms(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            if (selector[i] == '(') depth++;
            else if (selector[i] == ')') depth--;
            else if (selector[i] == ',' && depth == 0)
            {
                yield return selector[start..i];
                start = i + 1;
            }
        }
        yield return selector[start..];
    }

    private static List<string> SetValues(string text, string selector)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('(') || !trimmed.EndsWith(')'))
            throw StatusException.BadRequest($"unable to parse requirement: found '{trimmed}', expected: '(' in selector \"{selector}\"");
        return [.. trimmed[1..^1].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)];
    }
}
