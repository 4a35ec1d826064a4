using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AiConformance.ClusterSim.Store;

/// <summary>The metadata.name rules of kube-apiserver: DNS-1123 subdomain for most kinds, labels for a few.</summary>
public static partial class ObjectNameRules
{
    private const string SubdomainHelp =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelHelp =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1035Help =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>Throws 422 Invalid when the name is missing or malformed for the kind.</summary>
    public static void Validate(ResourceKind kind, JsonObject obj, string name)
    {
        if (name.Length == 0)
            throw StatusException.Invalid(kind, "", [new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]);
        var error = kind switch
        {
            { Group: "", Plural: "namespaces" } => CheckLabel(name, Label(), LabelHelp),
            { Group: "", Plural: "services" } => CheckLabel(name, Dns1035(), Dns1035Help),
            { Group: "rbac.authorization.k8s.io" } => null,
            _ => name.Length > 253 ? "must be no more than 253 characters" : Subdomain().IsMatch(name) ? null : SubdomainHelp,
        };
        if (error is not null) throw StatusException.Invalid(kind, name, [FieldError.InvalidValue("metadata.name", name, error)]);
    }

    private static string? CheckLabel(string name, Regex pattern, string help) =>
        name.Length > 63 ? "must be no more than 63 characters" : pattern.IsMatch(name) ? null : help;

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();
}
