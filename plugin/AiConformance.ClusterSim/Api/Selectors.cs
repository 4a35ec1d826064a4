using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The selectors list and watch accept: label selectors (parsed by the cluster's one <see cref="LabelSelector"/>) and
/// field selectors (<c>metadata.name=x,spec.nodeName!=y</c>) on the fields each registry indexes.
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
        var labels = LabelSelector.Parse(labelSelector);
        var fields = ParseFields(fieldSelector, kind);
        return obj => labels.Matches(obj) && fields(obj);
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

    private static (string Key, string Value) Split(string term, string op)
    {
        var at = term.IndexOf(op, StringComparison.Ordinal);
        return (term[..at].Trim(), term[(at + op.Length)..].Trim());
    }
}
