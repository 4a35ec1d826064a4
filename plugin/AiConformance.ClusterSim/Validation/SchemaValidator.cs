using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Validation;

/// <summary>
/// Structural validation of objects against their OpenAPI schema, as kube-apiserver decodes them: an unknown field
/// is dropped (and recorded as a <see cref="FidelityViolation"/>, or refused under <c>fieldValidation=Strict</c>);
/// a wrong type is refused (400 for built-ins, which fail to decode; 422 for custom resources); a missing required
/// property of a custom resource is refused with 422.
/// </summary>
public sealed class SchemaValidator(SchemaResolver schemas)
{
    private const string ObjectMetaDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private static readonly AsyncLocal<RequestValidation?> Current = new();
    private readonly ConcurrentQueue<FidelityViolation> _violations = new();

    public IReadOnlyList<FidelityViolation> Violations => _violations.ToArray();

    public SchemaResolver Schemas => schemas;

    /// <summary>Sets the field validation mode of the request being served on this async flow (Ignore, Warn, Strict).</summary>
    public static RequestValidation BeginRequest(string? fieldValidation, string user) =>
        Current.Value = new RequestValidation(fieldValidation is "Strict" or "Ignore" ? fieldValidation : "Warn", user);

    /// <summary>The request being served on this async flow, if any.</summary>
    public static RequestValidation? CurrentRequest => Current.Value;

    public void Validate(ResourceInfo info, JsonObject obj, List<FieldError> errors)
    {
        var walk = new Walk(info, obj.Name(), []);
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind") continue;
            var schema = key == "metadata"
                ? schemas.Definition(ObjectMetaDefinition)
                : schemas.Property(info.Schema, key);
            if (schema is null && !AllowsUnknown(schemas.Resolve(info.Schema)))
            {
                Unknown(walk, obj, key, key);
                continue;
            }
            if (Check(walk, value, schema, key, rawSchema: schemas.Resolve(info.Schema)?["properties"]?[key]) is { } canonical) obj[key] = canonical;
        }
        if (info.IsCustomResource) Required(walk, obj, schemas.Resolve(info.Schema), "", errors);
        if (walk.TypeErrors.Count > 0)
        {
            if (!info.IsCustomResource)
                throw StatusException.BadRequest(
                    $"{info.Kind.Kind} in version \"{info.Kind.Version}\" cannot be handled as a {info.Kind.Kind}: {walk.TypeErrors[0].Message}");
            errors.AddRange(walk.TypeErrors);
        }
        errors.AddRange(walk.RequiredErrors);
        if (walk.Unknown.Count > 0 && Current.Value?.FieldValidation == "Strict")
            throw StatusException.BadRequest("strict decoding error: " + string.Join(", ", walk.Unknown.Select(u => $"unknown field \"{u}\"")));
        foreach (var field in walk.Unknown)
        {
            if (Current.Value is { FieldValidation: "Warn" } request) request.Warnings.Add($"unknown field \"{field}\"");
            _violations.Enqueue(new FidelityViolation(info.Kind.GroupResource, obj.Name(), field,
                "unknown field: a real API server drops it")
            {
                Source = Current.Value is { } current ? $"API user {current.User}" : FidelityViolation.BehaviourSource,
            });
        }
    }

    private sealed record Walk(ResourceInfo Info, string Name, List<string> Unknown)
    {
        public List<FieldError> TypeErrors { get; } = [];
        public List<FieldError> RequiredErrors { get; } = [];
    }

    /// <summary>Checks one value; returns a replacement when the decoder would canonicalize it (numeric quantities).</summary>
    private JsonNode? Check(Walk walk, JsonNode? node, JsonObject? schema, string path, JsonNode? rawSchema)
    {
        if (node is null || schema is null) return null;
        if (IsLenientScalar(rawSchema, schema))
        {
            if (node is not JsonValue) TypeError(walk, path, node, "string");
            else if (node.GetValueKind() == JsonValueKind.Number && IsQuantity(rawSchema)) return CanonicalQuantity(double.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }
        var type = schema.Str("type");
        if (type is null && schema["properties"] is null && schema["items"] is null) return null;
        switch (type ?? (schema["items"] is not null ? "array" : "object"))
        {
            case "object":
                if (node is not JsonObject obj) { TypeError(walk, path, node, "object"); return null; }
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"];
                foreach (var (key, value) in obj.ToList())
                {
                    var childPath = $"{path}.{key}";
                    if (properties?[key] is { } propertySchema)
                    {
                        if (Check(walk, value, schemas.Resolve(propertySchema), childPath, propertySchema) is { } canonical) obj[key] = canonical;
                    }
                    else if (additional is JsonObject additionalSchema)
                    {
                        if (Check(walk, value, schemas.Resolve(additionalSchema), childPath, additionalSchema) is { } canonical) obj[key] = canonical;
                    }
                    else if (properties is not null && !AllowsUnknown(schema) && additional?.GetValueKind() != JsonValueKind.True)
                        Unknown(walk, obj, key, childPath);
                }
                if (walk.Info.IsCustomResource) Required(walk, obj, schema, path, walk.RequiredErrors);
                return null;
            case "array":
                if (node is not JsonArray list) { TypeError(walk, path, node, "array"); return null; }
                var items = schema["items"];
                for (var i = 0; i < list.Count; i++)
                    if (Check(walk, list[i], schemas.Resolve(items), $"{path}[{i}]", items) is { } canonical) list[i] = canonical;
                return null;
            case "string":
                if (node.GetValueKind() != JsonValueKind.String) TypeError(walk, path, node, "string");
                return null;
            case "integer":
                if (node.GetValueKind() != JsonValueKind.Number || !long.TryParse(node.ToJsonString(), out _)) TypeError(walk, path, node, "integer");
                return null;
            case "number":
                if (node.GetValueKind() != JsonValueKind.Number) TypeError(walk, path, node, "number");
                return null;
            case "boolean":
                if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) TypeError(walk, path, node, "boolean");
                return null;
        }
        return null;
    }

    private static bool IsQuantity(JsonNode? rawSchema) =>
        (rawSchema as JsonObject)?.Str("$ref")?.EndsWith(".Quantity", StringComparison.Ordinal) == true;

    /// <summary>A numeric quantity as the API server writes it back: "2", "500m".</summary>
    private static JsonNode CanonicalQuantity(double value) =>
        value == Math.Floor(value)
            ? JsonValue.Create(((long)value).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : JsonValue.Create(((long)Math.Round(value * 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "m");

    private void Required(Walk walk, JsonObject obj, JsonObject? schema, string path, List<FieldError> errors)
    {
        foreach (var name in (schema?["required"] as JsonArray ?? []).Select(r => r?.ToString()).OfType<string>())
            if (obj[name] is null)
                errors.Add(FieldError.Required(path.Length == 0 ? name : $"{path}.{name}"));
        _ = walk;
    }

    private static void Unknown(Walk walk, JsonObject parent, string key, string path)
    {
        parent.Remove(key);
        walk.Unknown.Add(path);
    }

    private static void TypeError(Walk walk, string path, JsonNode node, string expected)
    {
        var actual = node.GetValueKind() switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => long.TryParse(node.ToJsonString(), out _) ? "integer" : "number",
            _ => "boolean",
        };
        walk.TypeErrors.Add(walk.Info.IsCustomResource
            ? new FieldError("FieldValueTypeInvalid", path, $"Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\"")
            : new FieldError("FieldValueTypeInvalid", path, $"json: cannot unmarshal {actual} into Go struct field {path} of type {expected}"));
    }

    /// <summary>Quantities and IntOrStrings decode from strings and numbers alike; RawExtensions hold anything.</summary>
    private static bool IsLenientScalar(JsonNode? rawSchema, JsonObject schema)
    {
        var reference = (rawSchema as JsonObject)?.Str("$ref") ?? "";
        return reference.EndsWith(".Quantity", StringComparison.Ordinal)
            || reference.EndsWith(".IntOrString", StringComparison.Ordinal)
            || schema.Str("format") == "int-or-string"
            || schema["x-kubernetes-int-or-string"]?.GetValueKind() == JsonValueKind.True;
    }

    private static bool AllowsUnknown(JsonObject? schema) =>
        schema?["x-kubernetes-preserve-unknown-fields"]?.GetValueKind() == JsonValueKind.True;
}

/// <summary>The field validation mode of one request and the warnings it collected for the Warning header.</summary>
public sealed record RequestValidation(string FieldValidation, string User)
{
    public List<string> Warnings { get; } = [];
}
