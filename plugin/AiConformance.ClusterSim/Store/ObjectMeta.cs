using System.Globalization;
using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Store;

/// <summary>Small accessors for the metadata of objects held as JSON.</summary>
public static class ObjectMeta
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    public static string Name(this JsonObject obj) => obj.Metadata().Str("name") ?? "";

    public static string? Namespace(this JsonObject obj) => obj.Metadata().Str("namespace");

    public static string? Uid(this JsonObject obj) => obj.Metadata().Str("uid");

    /// <summary>The string value of a direct property, or null when absent or not a string.</summary>
    public static string? Str(this JsonObject obj, string property) =>
        obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Follows a dotted path of object properties (<c>spec.nodeName</c>) to a string value.</summary>
    public static string? StrAt(this JsonObject obj, string dottedPath)
    {
        JsonNode? node = obj;
        foreach (var part in dottedPath.Split('.'))
            node = node is JsonObject o ? o[part] : null;
        return node switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonValue value => value.ToJsonString(),
            _ => null,
        };
    }

    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj) => StringMap(obj.Metadata()["labels"]);

    public static IReadOnlyList<string> Finalizers(this JsonObject obj) =>
        obj.Metadata()["finalizers"] is JsonArray list
            ? list.Select(f => f?.GetValue<string>() ?? "").ToList()
            : [];

    public static IEnumerable<JsonObject> OwnerReferences(this JsonObject obj) =>
        obj.Metadata()["ownerReferences"] is JsonArray refs ? refs.OfType<JsonObject>() : [];

    public static long ResourceVersionOf(this JsonObject obj) =>
        long.TryParse(obj.Metadata().Str("resourceVersion"), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;

    /// <summary>A JSON number as long whatever CLR type backs it (parsed or assigned).</summary>
    public static long? AsLong(this JsonNode? node) =>
        node is JsonValue value && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? node) =>
        node is JsonObject map
            ? map.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString())
            : new Dictionary<string, string>();
}
