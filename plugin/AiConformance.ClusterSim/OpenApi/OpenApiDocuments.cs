using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;

namespace AiConformance.ClusterSim.OpenApi;

/// <summary><c>/openapi/v2</c> and <c>/openapi/v3</c> documents restricted to what this server serves.</summary>
public sealed class OpenApiDocuments(ResourceCatalog catalog)
{
    private JsonObject? _v2;

    public JsonObject V2() => _v2 ??= BuildV2();

    public JsonObject V3Index() => new() { ["paths"] = new JsonObject() };

    public JsonObject? V3(string groupVersionPath) => null;

    private JsonObject BuildV2()
    {
        var swagger = catalog.Swagger;
        var served = catalog.All.Select(r => r.Kind.Group.Length == 0 ? "/api/" + r.Kind.Version + "/" : $"/apis/{r.Kind.Group}/{r.Kind.Version}/").ToHashSet();
        var paths = new JsonObject();
        foreach (var (path, item) in (JsonObject)swagger["paths"]!)
            if (served.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal))) paths[path] = item?.DeepClone();
        var document = new JsonObject();
        foreach (var (key, value) in swagger)
            document[key] = key == "paths" ? paths : value?.DeepClone();
        return document;
    }
}
