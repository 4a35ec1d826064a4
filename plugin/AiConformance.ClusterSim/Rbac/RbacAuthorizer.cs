using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Rbac;

/// <summary>
/// The RBAC authorizer over the Roles, ClusterRoles and bindings held in the store (those of the plugin's manifest
/// and any created through the API). system:masters is allowed everything; everyone else only what a rule grants.
/// </summary>
public sealed class RbacAuthorizer(IClusterStore store)
{
    public const string Group = "rbac.authorization.k8s.io";
    private static readonly ResourceKind ClusterRoles = new(Group, "v1", "ClusterRole", "clusterroles", false);
    private static readonly ResourceKind ClusterRoleBindings = new(Group, "v1", "ClusterRoleBinding", "clusterrolebindings", false);
    private static readonly ResourceKind Roles = new(Group, "v1", "Role", "roles", true);
    private static readonly ResourceKind RoleBindings = new(Group, "v1", "RoleBinding", "rolebindings", true);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string User, string? Namespace), IReadOnlyList<JsonObject>> _rules = new();

    public bool Allows(Identity identity, AccessRequest request) =>
        identity.IsClusterAdmin || RulesFor(identity, request.Namespace).Any(rule => Matches(rule, request));

    /// <summary>Forgets the cached rules; called whenever an RBAC object changes.</summary>
    public void Invalidate() => _rules.Clear();

    /// <summary>The rules that apply to an identity in a namespace (cluster-wide ones included).</summary>
    public IReadOnlyList<JsonObject> RulesFor(Identity identity, string? ns) =>
        _rules.GetOrAdd((identity.User, ns), _ => CollectRules(identity, ns));

    private IReadOnlyList<JsonObject> CollectRules(Identity identity, string? ns)
    {
        var rules = new List<JsonObject>();
        foreach (var binding in store.List(ClusterRoleBindings).Where(b => Binds(b, identity)))
            rules.AddRange(RoleRules(binding, null));
        if (ns is not null)
            foreach (var binding in store.List(RoleBindings, ns).Where(b => Binds(b, identity)))
                rules.AddRange(RoleRules(binding, ns));
        return rules;
    }

    /// <summary>The message of a 403 answer, word for word as kube-apiserver writes it.</summary>
    public static string DeniedMessage(Identity identity, AccessRequest request)
    {
        var resource = request.Subresource is null ? request.Resource : $"{request.Resource}/{request.Subresource}";
        var scope = request.Namespace is null ? "at the cluster scope" : $"in the namespace \"{request.Namespace}\"";
        return $"User \"{identity.User}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.Group}\" {scope}";
    }

    private IEnumerable<JsonObject> RoleRules(JsonObject binding, string? ns)
    {
        var roleRef = binding["roleRef"] as JsonObject;
        var name = roleRef?.Str("name");
        if (name is null) return [];
        var role = roleRef!.Str("kind") == "Role" && ns is not null ? store.Get(Roles, ns, name) : store.Get(ClusterRoles, null, name);
        return (role?["rules"] as JsonArray ?? []).OfType<JsonObject>();
    }

    private static bool Binds(JsonObject binding, Identity identity) =>
        (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject => subject.Str("kind") switch
        {
            "User" => subject.Str("name") == identity.User,
            "Group" => identity.Groups.Contains(subject.Str("name") ?? ""),
            "ServiceAccount" => identity.User == $"system:serviceaccount:{subject.Str("namespace") ?? binding.Namespace()}:{subject.Str("name")}",
            _ => false,
        });

    private static bool Matches(JsonObject rule, AccessRequest request)
    {
        var resource = request.Subresource is null ? request.Resource : $"{request.Resource}/{request.Subresource}";
        return Contains(rule["verbs"], request.Verb)
            && Contains(rule["apiGroups"], request.Group)
            && Contains(rule["resources"], resource)
            && (rule["resourceNames"] is not JsonArray { Count: > 0 } names
                || (request.Name is not null && names.Any(n => n?.ToString() == request.Name)));
    }

    private static bool Contains(JsonNode? list, string value) =>
        list is JsonArray values && values.Any(v => v?.ToString() is { } s && (s == value || s == "*"));
}
