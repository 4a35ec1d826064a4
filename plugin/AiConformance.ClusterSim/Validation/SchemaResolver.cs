using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Validation;

/// <summary>Walks OpenAPI schemas: swagger v2 <c>$ref</c>s into <c>definitions</c>, and inline CRD schemas.</summary>
public sealed class SchemaResolver(JsonObject swagger)
{
    private readonly JsonObject _definitions = (JsonObject)swagger["definitions"]!;

    public JsonObject? Definition(string name) => _definitions[name] as JsonObject;

    /// <summary>The schema with <c>$ref</c> (and a single-entry <c>allOf</c>) followed.</summary>
    public JsonObject? Resolve(JsonNode? schema)
    {
        var current = schema as JsonObject;
        for (var depth = 0; current is not null && depth < 10; depth++)
        {
            if (current["$ref"] is JsonValue reference)
                current = Definition(reference.GetValue<string>().Split('/').Last());
            else if (current["allOf"] is JsonArray { Count: 1 } allOf && current["properties"] is null)
                current = allOf[0] as JsonObject;
            else return current;
        }
        return current;
    }

    public JsonObject? Property(JsonObject? schema, string name) => Resolve(Resolve(schema)?["properties"]?[name]);

    public JsonObject? Items(JsonObject? schema) => Resolve(Resolve(schema)?["items"]);

    public JsonObject? AdditionalProperties(JsonObject? schema) => Resolve(Resolve(schema)?["additionalProperties"]);
}
