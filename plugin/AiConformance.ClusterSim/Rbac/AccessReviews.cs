using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Rbac;

/// <summary>
/// SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview: answered from the caller's identity and
/// RBAC, never stored. Every authenticated user may create them (the system:basic-user role).
/// </summary>
public sealed class AccessReviews(RbacAuthorizer authorizer)
{
    public static bool IsReview(string group, string plural) =>
        (group, plural) is ("authorization.k8s.io", "selfsubjectaccessreviews" or "selfsubjectrulesreviews")
            or ("authentication.k8s.io", "selfsubjectreviews");

    public JsonObject Answer(string plural, JsonObject review, Identity identity)
    {
        var answer = (JsonObject)review.DeepClone();
        answer.Metadata()["creationTimestamp"] = null;
        switch (plural)
        {
            case "selfsubjectaccessreviews":
                var attributes = review["spec"]?["resourceAttributes"] as JsonObject ?? [];
                var request = new AccessRequest(
                    attributes.Str("verb") ?? "", attributes.Str("group") ?? "", attributes.Str("resource") ?? "",
                    NullIfEmpty(attributes.Str("subresource")), NullIfEmpty(attributes.Str("namespace")), NullIfEmpty(attributes.Str("name")));
                var allowed = review["spec"]?["nonResourceAttributes"] is not null || authorizer.Allows(identity, request);
                answer["status"] = new JsonObject { ["allowed"] = allowed };
                if (allowed) answer["status"]!["reason"] = identity.IsClusterAdmin ? "" : "allowed by RBAC";
                break;
            case "selfsubjectrulesreviews":
                var ns = review["spec"]?["namespace"]?.ToString();
                var rules = new JsonArray();
                foreach (var rule in authorizer.RulesFor(identity, ns))
                    rules.Add(new JsonObject
                    {
                        ["verbs"] = rule["verbs"]?.DeepClone() ?? new JsonArray(),
                        ["apiGroups"] = rule["apiGroups"]?.DeepClone() ?? new JsonArray(),
                        ["resources"] = rule["resources"]?.DeepClone() ?? new JsonArray(),
                        ["resourceNames"] = rule["resourceNames"]?.DeepClone(),
                    });
                if (identity.IsClusterAdmin)
                    rules.Add(new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") });
                answer["status"] = new JsonObject
                {
                    ["resourceRules"] = rules,
                    ["nonResourceRules"] = new JsonArray(),
                    ["incomplete"] = false,
                };
                break;
            default:
                answer["status"] = new JsonObject
                {
                    ["userInfo"] = new JsonObject
                    {
                        ["username"] = identity.User,
                        ["groups"] = new JsonArray(identity.Groups.Select(g => (JsonNode?)g).ToArray()),
                    },
                };
                break;
        }
        return answer;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
