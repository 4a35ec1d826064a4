using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>gateway.networking.k8s.io/v1 GatewayClass (cluster-scoped).</summary>
[KubernetesEntity(Group = GatewayApi.Group, ApiVersion = "v1", Kind = "GatewayClass", PluralName = "gatewayclasses")]
public sealed class GatewayClass : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = null!;
    [JsonPropertyName("kind")] public string Kind { get; set; } = null!;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public JsonObject? Spec { get; set; }
    [JsonPropertyName("status")] public ConditionsStatus? Status { get; set; }

    public string? ControllerName => (string?)Spec?["controllerName"];
}

/// <summary>gateway.networking.k8s.io/v1 Gateway.</summary>
[KubernetesEntity(Group = GatewayApi.Group, ApiVersion = "v1", Kind = "Gateway", PluralName = "gateways")]
public sealed class Gateway : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = null!;
    [JsonPropertyName("kind")] public string Kind { get; set; } = null!;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public JsonObject? Spec { get; set; }
    [JsonPropertyName("status")] public GatewayStatus? Status { get; set; }
}

/// <summary>gateway.networking.k8s.io/v1 HTTPRoute.</summary>
[KubernetesEntity(Group = GatewayApi.Group, ApiVersion = "v1", Kind = "HTTPRoute", PluralName = "httproutes")]
public sealed class HttpRoute : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = null!;
    [JsonPropertyName("kind")] public string Kind { get; set; } = null!;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public JsonObject? Spec { get; set; }
    [JsonPropertyName("status")] public RouteStatus? Status { get; set; }
}

public sealed class ConditionsStatus
{
    [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
}

public sealed class GatewayStatus
{
    [JsonPropertyName("addresses")] public List<GatewayAddress>? Addresses { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
    [JsonPropertyName("listeners")] public List<ListenerStatus>? Listeners { get; set; }
}

public sealed class GatewayAddress
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("value")] public string Value { get; set; } = "";
}

public sealed class ListenerStatus
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("attachedRoutes")] public int AttachedRoutes { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
}

public sealed class RouteStatus
{
    [JsonPropertyName("parents")] public List<RouteParentStatus>? Parents { get; set; }
}

public sealed class RouteParentStatus
{
    [JsonPropertyName("parentRef")] public JsonObject? ParentRef { get; set; }
    [JsonPropertyName("controllerName")] public string? ControllerName { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
}

/// <summary>Reading conditions as the Gateway API conformance suite does: a condition holds when it is True for the current generation.</summary>
public static class GatewayApi
{
    public const string Group = "gateway.networking.k8s.io";

    public static bool Holds(IEnumerable<V1Condition>? conditions, string type, long? generation = null) =>
        (conditions ?? []).Any(c => c.Type == type && c.Status == "True" && (generation is null || c.ObservedGeneration is null || c.ObservedGeneration >= generation));

    public static string Describe(IEnumerable<V1Condition>? conditions) =>
        conditions is null || !conditions.Any() ? "no conditions"
        : string.Join(", ", conditions.Select(c => $"{c.Type}={c.Status} ({c.Reason}{(string.IsNullOrEmpty(c.Message) ? "" : ": " + c.Message)})"));

    /// <summary>The route's status entry for the parent Gateway <paramref name="ns"/>/<paramref name="name"/>.</summary>
    public static RouteParentStatus? ParentStatus(HttpRoute route, string ns, string name) =>
        route.Status?.Parents?.FirstOrDefault(p => (string?)p.ParentRef?["name"] == name
                                                   && ((string?)p.ParentRef?["namespace"] ?? route.Metadata.NamespaceProperty) == ns);
}
