using System.Text.Json.Nodes;
using k8s;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>Small accessors over stored objects, and conversion to the typed KubernetesClient models.</summary>
public static class Json
{
    public static T As<T>(JsonObject obj) => KubernetesJson.Deserialize<T>(obj.ToJsonString());

    public static JsonObject From(object model) => JsonNode.Parse(KubernetesJson.Serialize(model))!.AsObject();

    public static JsonObject Metadata(this JsonObject obj) =>
        obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());

    public static string Name(this JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    public static string? Namespace(this JsonObject obj) => (string?)obj["metadata"]?["namespace"];

    public static string Uid(this JsonObject obj) => (string?)obj["metadata"]?["uid"] ?? "";

    public static bool IsDeleting(this JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static JsonObject Child(this JsonObject obj, string name) =>
        obj[name] as JsonObject ?? (JsonObject)(obj[name] = new JsonObject());

    public static JsonArray Array(this JsonObject obj, string name) =>
        obj[name] as JsonArray ?? (JsonArray)(obj[name] = new JsonArray());

    public static string? Label(this JsonObject obj, string key) => (string?)obj["metadata"]?["labels"]?[key];

    /// <summary>The controller owner reference's uid, or null.</summary>
    public static string? ControllerUid(this JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(r => (bool?)r["controller"] == true)?["uid"]?.GetValue<string>();

    public static JsonObject OwnerReference(JsonObject owner, bool controller = true) => new()
    {
        ["apiVersion"] = (string?)owner["apiVersion"],
        ["kind"] = (string?)owner["kind"],
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = controller,
        ["blockOwnerDeletion"] = true,
    };

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
}

/// <summary>Numbers of stored objects, whatever CLR type the writer used (int, long or a parsed element).</summary>
public static class JsonNumber
{
    public static long? Long(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? long.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public static int? Int(JsonNode? node) => Long(node) is { } number ? (int)number : null;
}
