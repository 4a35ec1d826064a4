using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// A custom resource read and written as JSON (spec and status), for kinds whose fields a fixture only composes and
/// inspects: one model serves every kind and served version, the <see cref="ApiKind"/> being given where it is used
/// (<c>ns.Objects&lt;CustomObject&gt;(kind)</c>), or named once by a subclass with a
/// <see cref="KubernetesEntityAttribute"/> where a fixture uses one kind throughout.
/// </summary>
public class CustomObject : IKubernetesObject<V1ObjectMeta>
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

    /// <summary>A new object named <paramref name="name"/> with <paramref name="spec"/>.</summary>
    public static CustomObject Named(string name, JsonObject spec) => new() { Metadata = new V1ObjectMeta { Name = name }, Spec = spec };

    /// <summary>The status of a condition in <c>status.conditions</c> (<c>True</c>, <c>False</c>), null when there is none.</summary>
    public string? Condition(string type) => FindCondition(type)?["status"]?.GetValue<string>();

    /// <summary>A condition as <c>Type=Status Reason: message</c>, for evidence and failure messages.</summary>
    public string DescribeCondition(string type) =>
        FindCondition(type) is { } c ? $"{type}={c["status"]} {c["reason"]}: {c["message"]}" : $"no {type} condition";

    private JsonObject? FindCondition(string type) =>
        (Status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
}
