using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using AiConformance.ClusterSim.Validation;

namespace AiConformance.ClusterSim.Api;

/// <summary>The patch formats of the API: JSON merge patch, JSON patch, and strategic merge patch by schema.</summary>
public static class Patches
{
    public const string Merge = "application/merge-patch+json";
    public const string Json = "application/json-patch+json";
    public const string Strategic = "application/strategic-merge-patch+json";
    public const string Apply = "application/apply-patch+yaml";

    /// <summary>RFC 7386: objects merge recursively, null removes, everything else replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else result[key] = MergePatch(result[key], value);
        }
        return result;
    }

    /// <summary>RFC 6902 operations on a copy of the target.</summary>
    public static JsonNode JsonPatch(JsonNode target, JsonArray operations)
    {
        var root = new JsonObject { ["doc"] = target.DeepClone() };
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation.Str("op") ?? throw StatusException.BadRequest("the server rejected our request due to an error in our request: json patch operation has no \"op\"");
            var path = "/doc" + (operation.Str("path") ?? "");
            switch (op)
            {
                case "add": Add(root, path, operation["value"]?.DeepClone()); break;
                case "remove": Remove(root, path); break;
                case "replace": Remove(root, path); Add(root, path, operation["value"]?.DeepClone()); break;
                case "move": { var value = Remove(root, "/doc" + operation.Str("from")); Add(root, path, value); break; }
                case "copy": Add(root, path, Locate(root, "/doc" + operation.Str("from")).Node?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Locate(root, path).Node, operation["value"]))
                        throw new StatusException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {operation.Str("path")} failed");
                    break;
                default: throw StatusException.BadRequest($"Unexpected kind: {op}");
            }
        }
        return root["doc"]!.DeepClone();
    }

    /// <summary>Strategic merge: like a merge patch, but lists with a patch merge key merge by it, and the directives kubectl sends are honoured.</summary>
    public static JsonNode? StrategicMerge(JsonNode? target, JsonNode? patch, JsonObject? schema, SchemaResolver schemas)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        if (patchObject.Str("$patch") == "replace")
        {
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key is "$retainKeys" or "$patch") continue;
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray existing && value is JsonArray removed)
                    result[field] = new JsonArray(existing.Where(e => !removed.Any(r => JsonNode.DeepEquals(r, e))).Select(e => e?.DeepClone()).ToArray());
                continue;
            }
            if (value is null) { result.Remove(key); continue; }
            var propertySchema = schemas.Property(schema, key);
            var mergeKey = propertySchema?.Str("x-kubernetes-patch-merge-key");
            var mergeStrategy = propertySchema?.Str("x-kubernetes-patch-strategy")?.Contains("merge") == true;
            result[key] = value switch
            {
                JsonArray list when mergeStrategy && mergeKey is not null =>
                    MergeKeyedList(result[key] as JsonArray, list, mergeKey, schemas.Items(propertySchema), schemas),
                JsonArray list when mergeStrategy =>
                    new JsonArray((result[key] as JsonArray ?? []).Select(e => e?.DeepClone())
                        .Concat(list.Where(e => !(result[key] as JsonArray ?? []).Any(x => JsonNode.DeepEquals(x, e))).Select(e => e?.DeepClone())).ToArray()),
                JsonObject nested when nested.Str("$patch") == "delete" => null,
                JsonObject nested => StrategicMerge(result[key], nested, propertySchema, schemas),
                _ => value.DeepClone(),
            };
            if (result[key] is null) result.Remove(key);
        }
        if (patchObject["$retainKeys"] is JsonArray retain)
        {
            // Union types (a deployment's strategy): keys outside the list are cleared.
            var kept = retain.Select(k => k?.ToString()).ToHashSet();
            foreach (var key in result.Select(p => p.Key).Where(k => !kept.Contains(k)).ToList()) result.Remove(key);
        }
        return result;
    }

    private static JsonArray MergeKeyedList(JsonArray? target, JsonArray patch, string mergeKey, JsonObject? itemSchema, SchemaResolver schemas)
    {
        var result = new JsonArray((target ?? []).Select(e => e?.DeepClone()).ToArray());
        foreach (var item in patch)
        {
            if (item is not JsonObject element) { result.Add(item?.DeepClone()); continue; }
            var key = element[mergeKey];
            var index = result.ToList().FindIndex(e => e is JsonObject o && JsonNode.DeepEquals(o[mergeKey], key));
            if (element.Str("$patch") == "delete")
            {
                if (index >= 0) result.RemoveAt(index);
                continue;
            }
            if (index >= 0) result[index] = StrategicMerge(result[index], element, itemSchema, schemas);
            else result.Add(StrategicMerge(null, element, itemSchema, schemas));
        }
        return result;
    }

    private static (JsonNode? Parent, string Token, JsonNode? Node) Locate(JsonObject root, string pointer)
    {
        var tokens = pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
        JsonNode? parent = null;
        JsonNode? node = root;
        foreach (var token in tokens)
        {
            parent = node;
            node = node switch
            {
                JsonObject o => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                JsonArray when token == "-" => null,
                _ => throw new StatusException(422, "Invalid", $"the server rejected our request due to an error in our request: doc is missing path: \"{pointer[4..]}\""),
            };
        }
        return (parent, tokens.Last(), node);
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, token, _) = LocateParent(root, pointer);
        switch (parent)
        {
            case JsonObject o: o[token] = value; break;
            case JsonArray a when token == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(token, out var i) && i <= a.Count: a.Insert(i, value); break;
            default: throw new StatusException(422, "Invalid", $"the server rejected our request due to an error in our request: add operation does not apply: doc is missing path: \"{pointer[4..]}\"");
        }
    }

    private static JsonNode? Remove(JsonObject root, string pointer)
    {
        var (parent, token, node) = Locate(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token): o.Remove(token); break;
            case JsonArray a when int.TryParse(token, out var i): a.RemoveAt(i); break;
            default: throw new StatusException(422, "Invalid", $"the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: \"{pointer[4..]}\"");
        }
        return node;
    }

    private static (JsonNode? Parent, string Token, JsonNode? Node) LocateParent(JsonObject root, string pointer)
    {
        var cut = pointer.LastIndexOf('/');
        var (_, _, parent) = Locate(root, pointer[..cut]);
        var token = pointer[(cut + 1)..].Replace("~1", "/").Replace("~0", "~");
        return (parent, token, null);
    }
}
