using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Rbac;

/// <summary>
/// RBAC's escalation prevention, as kube-apiserver's RBAC storage applies it to every write of a role or binding by
/// someone outside system:masters: a binding is allowed when its author may <c>bind</c> the role it refers to (checked
/// in the binding's namespace), a role when its author may <c>escalate</c> it; otherwise only when the author already
/// holds every permission the role grants. Everything else is refused with kube-apiserver's words.
/// </summary>
public sealed class EscalationPrevention(RbacAuthorizer authorizer, IClusterStore store)
{
    private static readonly ResourceKind ClusterRoles = new(RbacAuthorizer.Group, "v1", "ClusterRole", "clusterroles", false);
    private static readonly ResourceKind Roles = new(RbacAuthorizer.Group, "v1", "Role", "roles", true);

    /// <summary>Throws 403 when <paramref name="identity"/> may not write <paramref name="obj"/> (a role or binding).</summary>
    public void Confirm(Identity identity, ResourceKind kind, JsonObject obj)
    {
        if (identity.IsClusterAdmin || kind.Group != RbacAuthorizer.Group) return;
        var ns = kind.Namespaced ? obj.Namespace() : null;
        IEnumerable<JsonObject> granted;
        switch (kind.Plural)
        {
            case "rolebindings" or "clusterrolebindings":
                var roleRef = obj["roleRef"] as JsonObject ?? [];
                var roleKind = roleRef.Str("kind") == "Role" ? Roles : ClusterRoles;
                if (authorizer.Allows(identity, new AccessRequest("bind", RbacAuthorizer.Group, roleKind.Plural, null, ns, roleRef.Str("name"))))
                    return;
                var role = store.Get(roleKind, roleKind.Namespaced ? ns : null, roleRef.Str("name") ?? "")
                    ?? throw StatusException.Forbidden(kind, obj.Name(), $"{roleKind.Kind.ToLowerInvariant()}.{RbacAuthorizer.Group} \"{roleRef.Str("name")}\" not found");
                granted = (role["rules"] as JsonArray ?? []).OfType<JsonObject>();
                break;
            case "roles" or "clusterroles":
                if (authorizer.Allows(identity, new AccessRequest("escalate", RbacAuthorizer.Group, kind.Plural, null, ns, obj.Name())))
                    return;
                granted = (obj["rules"] as JsonArray ?? []).OfType<JsonObject>();
                break;
            default:
                return;
        }
        var missing = granted.SelectMany(rule => NotHeld(identity, rule, ns)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw StatusException.Forbidden(kind, obj.Name(), $"user \"{identity.User}\" (groups={Quoted(identity.Groups)}) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", missing)}");
    }

    /// <summary>The parts of <paramref name="rule"/> the identity does not hold, one line per group and resource, as kube-apiserver compacts them.</summary>
    private IEnumerable<string> NotHeld(Identity identity, JsonObject rule, string? ns)
    {
        var names = Strings(rule["resourceNames"]);
        foreach (var group in Strings(rule["apiGroups"]))
        foreach (var resource in Strings(rule["resources"]))
        {
            var parts = resource.Split('/', 2);
            var verbs = Strings(rule["verbs"]).Where(verb => (names.Count == 0 ? [null] : names.Cast<string?>())
                .Any(name => !authorizer.Allows(identity, new AccessRequest(verb, group, parts[0], parts.Length > 1 ? parts[1] : null, ns, name)))).ToList();
            if (verbs.Count == 0) continue;
            var resourceNames = names.Count > 0 ? $", ResourceNames:{Quoted(names)}" : "";
            yield return $"{{APIGroups:{Quoted([group])}, Resources:{Quoted([resource])}{resourceNames}, Verbs:{Quoted(verbs)}}}";
        }
    }

    private static List<string> Strings(JsonNode? list) => (list as JsonArray ?? []).Select(v => v?.ToString() ?? "").ToList();

    /// <summary>A list of strings as Go's <c>%q</c> prints it: <c>["a" "b"]</c>.</summary>
    private static string Quoted(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(v => $"\"{v}\"")) + "]";
}
