using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.OpenApi;

/// <summary>
/// <c>/openapi/v2</c> and <c>/openapi/v3</c> for what this server serves. The v3 group-version documents are derived
/// from the published v2 document (parameters and bodies rewritten to v3 form, <c>#/definitions/</c> to
/// <c>#/components/schemas/</c>, the referenced schemas closed over); custom resources get one from their CRD schema.
/// kubectl reads v3 only (it asks for v2 in protobuf, which this server does not speak).
/// </summary>
public sealed class OpenApiDocuments(ResourceCatalog catalog)
{
    private readonly ConcurrentDictionary<string, JsonObject> _builtInV3 = new(StringComparer.Ordinal);
    private JsonObject? _v2;

    public JsonObject V2() => _v2 ??= BuildV2();

    public JsonObject V3Index()
    {
        var paths = new JsonObject();
        foreach (var groupVersion in catalog.All.Select(r => PathOf(r.Kind)).Distinct())
            paths[groupVersion] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{groupVersion}?hash={Hash(groupVersion)}" };
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The v3 document of one group version (<c>api/v1</c>, <c>apis/apps/v1</c>), or null when not served.</summary>
    public JsonObject? V3(string groupVersionPath)
    {
        var resources = catalog.All.Where(r => PathOf(r.Kind) == groupVersionPath).ToList();
        if (resources.Count == 0) return null;
        if (resources.All(r => !r.IsCustomResource))
            return _builtInV3.GetOrAdd(groupVersionPath, BuildBuiltInV3);
        return BuildCustomV3(resources.Where(r => r.IsCustomResource).ToList());
    }

    private static string PathOf(ResourceKind kind) => kind.Group.Length == 0 ? $"api/{kind.Version}" : $"apis/{kind.Group}/{kind.Version}";

    private string Hash(string groupVersion) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            groupVersion + string.Join(",", catalog.All.Where(r => PathOf(r.Kind) == groupVersion).Select(r => r.Kind.Plural)))))[..32];

    private JsonObject BuildV2()
    {
        var swagger = catalog.Swagger;
        var served = catalog.All.Select(r => "/" + PathOf(r.Kind) + "/").ToHashSet();
        var paths = new JsonObject();
        foreach (var (path, item) in (JsonObject)swagger["paths"]!)
            if (served.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal))) paths[path] = item?.DeepClone();
        var document = new JsonObject();
        foreach (var (key, value) in swagger)
            document[key] = key == "paths" ? paths : value?.DeepClone();
        return document;
    }

    private JsonObject BuildBuiltInV3(string groupVersionPath)
    {
        var swagger = catalog.Swagger;
        var parameters = swagger["parameters"] as JsonObject ?? [];
        var prefix = "/" + groupVersionPath + "/";
        var paths = new JsonObject();
        foreach (var (path, item) in (JsonObject)swagger["paths"]!)
        {
            if (item is not JsonObject pathItem || !(path.StartsWith(prefix, StringComparison.Ordinal) || path == prefix.TrimEnd('/'))) continue;
            var converted = new JsonObject();
            foreach (var (key, value) in pathItem)
            {
                converted[key] = key switch
                {
                    "parameters" => new JsonArray(((JsonArray)value!).Select(p => ConvertParameter(p, parameters)).OfType<JsonNode>().ToArray()),
                    "get" or "put" or "post" or "delete" or "patch" or "head" or "options" => ConvertOperation((JsonObject)value!, parameters),
                    _ => value?.DeepClone(),
                };
            }
            paths[path] = converted;
        }
        var document = new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = catalog.KubernetesVersion + ".0" },
            ["paths"] = paths,
        };
        RewriteReferences(document);
        document["components"] = new JsonObject { ["schemas"] = ReferencedSchemas(document) };
        return document;
    }

    private JsonObject BuildCustomV3(IReadOnlyList<ResourceInfo> resources)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var info in resources)
        {
            var kind = info.Kind;
            var schemaName = string.Join('.', kind.Group.Split('.').Reverse()) + $".{kind.Version}.{kind.Kind}";
            var gvk = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind };
            var schema = (JsonObject)info.Schema.DeepClone();
            schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
            schemas[schemaName] = schema;
            var scope = kind.Namespaced ? "/namespaces/{namespace}" : "";
            var collection = $"/apis/{kind.Group}/{kind.Version}{scope}/{kind.Plural}";
            JsonObject Operation(string action, bool withBody) => new()
            {
                ["operationId"] = $"{action}{kind.Kind}",
                ["parameters"] = new JsonArray(
                    Query("dryRun"), Query("fieldManager"), Query("fieldValidation")),
                ["requestBody"] = withBody
                    ? new JsonObject { ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(schemaName) } } }
                    : null,
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject
                    {
                        ["description"] = "OK",
                        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(schemaName) } },
                    },
                },
                ["x-kubernetes-action"] = action,
                ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
            };
            paths[collection] = new JsonObject { ["get"] = Operation("list", false), ["post"] = Operation("post", true) };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["get"] = Operation("get", false), ["put"] = Operation("put", true),
                ["patch"] = Operation("patch", true), ["delete"] = Operation("delete", false),
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes CRD Swagger", ["version"] = "v0.1.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Query(string name) =>
        new() { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true } };

    private static JsonObject Ref(string schemaName) => new() { ["$ref"] = "#/components/schemas/" + schemaName };

    private static JsonObject ConvertOperation(JsonObject operation, JsonObject parameters)
    {
        var converted = new JsonObject();
        var produces = (operation["produces"] as JsonArray)?.Select(p => p!.ToString()).ToList() ?? ["application/json"];
        var consumes = (operation["consumes"] as JsonArray)?.Select(p => p!.ToString()).ToList() ?? ["*/*"];
        foreach (var (key, value) in operation)
        {
            switch (key)
            {
                case "produces" or "consumes" or "schemes":
                    continue;
                case "parameters":
                    var list = new JsonArray();
                    foreach (var parameter in (JsonArray)value!)
                    {
                        var resolved = Resolve(parameter, parameters);
                        if (resolved?.Str("in") == "body")
                        {
                            var content = new JsonObject();
                            foreach (var type in consumes) content[type] = new JsonObject { ["schema"] = resolved["schema"]?.DeepClone() };
                            converted["requestBody"] = new JsonObject { ["content"] = content, ["required"] = resolved["required"]?.DeepClone() ?? false };
                        }
                        else if (ConvertParameter(parameter, parameters) is { } plain) list.Add(plain);
                    }
                    converted["parameters"] = list;
                    break;
                case "responses":
                    var responses = new JsonObject();
                    foreach (var (code, response) in (JsonObject)value!)
                    {
                        var r = new JsonObject { ["description"] = response?["description"]?.DeepClone() };
                        if (response?["schema"] is { } schema)
                        {
                            var content = new JsonObject();
                            foreach (var type in produces) content[type] = new JsonObject { ["schema"] = schema.DeepClone() };
                            r["content"] = content;
                        }
                        responses[code] = r;
                    }
                    converted["responses"] = responses;
                    break;
                default:
                    converted[key] = value?.DeepClone();
                    break;
            }
        }
        return converted;
    }

    private static JsonObject? ConvertParameter(JsonNode? parameter, JsonObject parameters)
    {
        var resolved = Resolve(parameter, parameters);
        if (resolved is null || resolved.Str("in") == "body") return null;
        var converted = new JsonObject();
        var schema = new JsonObject();
        foreach (var (key, value) in resolved)
        {
            if (key is "type" or "uniqueItems" or "format" or "items" or "enum" or "default") schema[key] = value?.DeepClone();
            else converted[key] = value?.DeepClone();
        }
        converted["schema"] = schema;
        return converted;
    }

    private static JsonObject? Resolve(JsonNode? parameter, JsonObject parameters) =>
        parameter is JsonObject p && p.Str("$ref") is { } reference
            ? parameters[reference.Split('/').Last()] as JsonObject
            : parameter as JsonObject;

    private static void RewriteReferences(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.Str("$ref") is { } reference && reference.StartsWith("#/definitions/", StringComparison.Ordinal))
                    obj["$ref"] = "#/components/schemas/" + reference["#/definitions/".Length..];
                foreach (var (_, value) in obj) RewriteReferences(value);
                break;
            case JsonArray list:
                foreach (var item in list) RewriteReferences(item);
                break;
        }
    }

    private JsonObject ReferencedSchemas(JsonNode document)
    {
        var definitions = (JsonObject)catalog.Swagger["definitions"]!;
        var result = new JsonObject();
        var pending = new Stack<string>(References(document));
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (result.ContainsKey(name) || definitions[name] is not JsonObject definition) continue;
            var copy = definition.DeepClone();
            RewriteReferences(copy);
            result[name] = copy;
            foreach (var next in References(copy)) pending.Push(next);
        }
        return result;
    }

    private static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.Str("$ref") is { } reference && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    yield return reference["#/components/schemas/".Length..];
                foreach (var (_, value) in obj)
                foreach (var found in References(value))
                    yield return found;
                break;
            case JsonArray list:
                foreach (var item in list)
                foreach (var found in References(item))
                    yield return found;
                break;
        }
    }
}
