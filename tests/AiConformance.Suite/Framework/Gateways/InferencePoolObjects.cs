using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>inference.networking.k8s.io/v1 InferencePool: model-server pods, the port they serve on and their endpoint picker.</summary>
[KubernetesEntity(Group = InferenceApi.Group, ApiVersion = "v1", Kind = "InferencePool", PluralName = "inferencepools")]
public sealed class InferencePool : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = null!;
    [JsonPropertyName("kind")] public string Kind { get; set; } = null!;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public JsonObject? Spec { get; set; }
    [JsonPropertyName("status")] public InferencePoolStatus? Status { get; set; }
}

public sealed class InferencePoolStatus
{
    [JsonPropertyName("parents")] public List<RouteParentStatus>? Parents { get; set; }
}

/// <summary>The inference extension's API group, and reading an InferencePool's status per parent Gateway.</summary>
public static class InferenceApi
{
    public const string Group = "inference.networking.k8s.io";

    /// <summary>The header the extension's conformance picker steers by: its value names the endpoint (pod IP) to pick.</summary>
    public const string EndpointSelectionHeader = "test-epp-endpoint-selection";

    /// <summary>The pool's status entry for the parent Gateway <paramref name="ns"/>/<paramref name="name"/>.</summary>
    public static RouteParentStatus? ParentStatus(InferencePool pool, string ns, string name) =>
        pool.Status?.Parents?.FirstOrDefault(p => (string?)p.ParentRef?["name"] == name
                                                  && ((string?)p.ParentRef?["namespace"] ?? pool.Metadata.NamespaceProperty) == ns);

    public static string DescribeParents(InferencePool pool) =>
        pool.Status?.Parents is not { Count: > 0 } parents ? "no parent status"
        : string.Join("; ", parents.Select(p => $"{(string?)p.ParentRef?["kind"] ?? "Gateway"} {(string?)p.ParentRef?["name"]}" +
                                                $"{(p.ControllerName is null ? "" : " by " + p.ControllerName)}: {GatewayApi.Describe(p.Conditions)}"));

    /// <summary>A backendRef to an InferencePool, as a rule of an HTTPRoute names it.</summary>
    public static JsonObject PoolRef(string pool, int weight = 1) => new()
    {
        ["group"] = Group, ["kind"] = "InferencePool", ["name"] = pool, ["weight"] = weight,
    };
}
