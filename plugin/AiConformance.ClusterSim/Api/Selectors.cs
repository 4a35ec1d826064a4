using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// Label selectors (equality and set-based: <c>a=b,c!=d,e in (x,y),f notin (z),g,!h</c>) and field selectors
/// (<c>metadata.name=x,spec.nodeName!=y</c>) as list and watch accept them.
/// </summary>
public static class Selectors
{
    /// <summary>
    /// The field labels each registry indexes besides metadata.name and metadata.namespace; any other field in a
    /// field selector is refused with 400, as on a real cluster (so the suite cannot depend on one that only works here).
    /// </summary>
    private static readonly Dictionary<string, string[]> SupportedFields = new(StringComparer.Ordinal)
    {
        ["/pods"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
            "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        ["/events"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        ["events.k8s.io/events"] = ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "reportingController", "type"],
        ["/nodes"] = ["spec.unschedulable"],
        ["/namespaces"] = ["status.phase"],
        ["/secrets"] = ["type"],
        ["/services"] = ["spec.clusterIP", "spec.type"],
        ["/replicationcontrollers"] = ["status.replicas"],
        ["apps/replicasets"] = ["status.replicas"],
        ["batch/jobs"] = ["status.successful"],
        ["resource.k8s.io/resourceslices"] = ["spec.nodeName", "spec.driver"],
        ["certificates.k8s.io/certificatesigningrequests"] = ["spec.signerName"],
    };

    public static Func<JsonObject, bool> Parse(string? labelSelector, string? fieldSelector, ResourceKind? kind = null)
    {
        var labels = ParseLabels(labelSelector);
        var fields = ParseFields(fieldSelector, kind);
        return obj => labels(obj.Labels()) && fields(obj);
    }

    public static Func<IReadOnlyDictionary<string, string>, bool> ParseLabels(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector)) return _ => true;
        var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var term in SplitTerms(selector))
        {
            var t = term.Trim();
            if (t.Length == 0) continue;
            var inAt = t.IndexOf(" in ", StringComparison.Ordinal);
            var notInAt = t.IndexOf(" notin ", StringComparison.Ordinal);
            if (notInAt > 0)
            {
                var key = t[..notInAt].Trim();
                var values = SetValues(t[(notInAt + 7)..], selector);
                requirements.Add(l => !l.TryGetValue(key, out var v) || !values.Contains(v));
            }
            else if (inAt > 0)
            {
                var key = t[..inAt].Trim();
                var values = SetValues(t[(inAt + 4)..], selector);
                requirements.Add(l => l.TryGetValue(key, out var v) && values.Contains(v));
            }
            else if (t.Contains("!="))
            {
                var (key, value) = Split(t, "!=");
                requirements.Add(l => !l.TryGetValue(key, out var v) || v != value);
            }
            else if (t.Contains("=="))
            {
                var (key, value) = Split(t, "==");
                requirements.Add(l => l.TryGetValue(key, out var v) && v == value);
            }
            else if (t.Contains('='))
            {
                var (key, value) = Split(t, "=");
                requirements.Add(l => l.TryGetValue(key, out var v) && v == value);
            }
            else if (t.StartsWith('!'))
            {
                var key = t[1..].Trim();
                requirements.Add(l => !l.ContainsKey(key));
            }
            else
            {
                requirements.Add(l => l.ContainsKey(t));
            }
        }
        return labels => requirements.All(r => r(labels));
    }

    public static Func<JsonObject, bool> ParseFields(string? selector, ResourceKind? kind = null)
    {
        if (string.IsNullOrWhiteSpace(selector)) return _ => true;
        var requirements = new List<Func<JsonObject, bool>>();
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var negate = term.Contains("!=");
            if (!negate && !term.Contains('='))
                throw StatusException.BadRequest($"invalid field selector: invalid selector: '{selector}'; can't understand '{term}'");
            var (field, value) = Split(term, negate ? "!=" : term.Contains("==") ? "==" : "=");
            if (kind is not null && field is not ("metadata.name" or "metadata.namespace")
                && !(SupportedFields.TryGetValue(kind.Group + "/" + kind.Plural, out var supported) && supported.Contains(field)))
                throw StatusException.BadRequest($"field label not supported: {field}");
            requirements.Add(obj => (FieldValue(obj, field) == value) != negate);
        }
        return obj => requirements.All(r => r(obj));
    }

    /// <summary>Field values as the registries index them: missing strings compare as "".</summary>
    private static string FieldValue(JsonObject obj, string field) => field switch
    {
        "metadata.name" => obj.Name(),
        "metadata.namespace" => obj.Namespace() ?? "",
        _ => obj.StrAt(field) ?? "",
    };

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

    private static HashSet<string> SetValues(string text, string selector)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('(') || !trimmed.EndsWith(')'))
            throw StatusException.BadRequest($"unable to parse requirement: found '{trimmed}', expected: '(' in selector \"{selector}\"");
        return trimmed[1..^1].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal);
    }

    private static (string Key, string Value) Split(string term, string op)
    {
        var at = term.IndexOf(op, StringComparison.Ordinal);
        return (term[..at].Trim(), term[(at + op.Length)..].Trim());
    }
}
