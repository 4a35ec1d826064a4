using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// A custom resource whose spec and status a fixture writes and reads as JSON (a Kueue queue, a RayCluster): each
/// kind costs one small class naming its group, version and plural in a <see cref="KubernetesEntityAttribute"/>.
/// </summary>
public abstract class CustomResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = null!;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = null!;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Status { get; set; }

    /// <summary>The status of a condition (<c>True</c>, <c>False</c>), null when there is none.</summary>
    public string? Condition(string type) =>
        (Status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.GetValue<string>();

    /// <summary>A condition as <c>Type=Status Reason: message</c>, for evidence and failure messages.</summary>
    public string DescribeCondition(string type) =>
        (Status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type) is { } c
            ? $"{type}={c["status"]} {c["reason"]}: {c["message"]}"
            : $"no {type} condition";
}
