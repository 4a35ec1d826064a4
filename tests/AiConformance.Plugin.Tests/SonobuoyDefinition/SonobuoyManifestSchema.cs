using System.Text.Json.Nodes;
using AiConformance.ClusterSim.OpenApi;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Tests.SonobuoyDefinition;

/// <summary>
/// Decodes a plugin definition the way Sonobuoy's <c>manifest.Manifest</c> does, but strictly: the top level and
/// <c>sonobuoy-config</c> by the field names of Sonobuoy's struct tags, <c>spec</c> as a Kubernetes Container,
/// <c>podSpec</c> as a PodSpec and <c>extra-volumes</c> as Volumes, those three by the published Kubernetes OpenAPI
/// schema. Sonobuoy itself ignores unknown keys (which is how <c>result-type</c> and <c>source_url</c> go unnoticed);
/// here every unknown key is an error.
/// </summary>
internal static class SonobuoyManifestSchema
{
    /// <summary>Top-level keys of Sonobuoy's Manifest (pkg/plugin/manifest).</summary>
    public static readonly IReadOnlySet<string> ManifestKeys = new HashSet<string> { "sonobuoy-config", "spec", "extra-volumes", "podSpec", "config-map" };

    /// <summary>Keys of Sonobuoy's SonobuoyConfig.</summary>
    public static readonly IReadOnlySet<string> SonobuoyConfigKeys = new HashSet<string>
    {
        "driver", "plugin-name", "skip-cleanup", "result-format", "result-files", "description", "source-url",
    };

    public static readonly IReadOnlySet<string> Drivers = new HashSet<string> { "Job", "DaemonSet" };
    public static readonly IReadOnlySet<string> ResultFormats = new HashSet<string> { "junit", "raw", "gojson", "manual" };

    private const string KubernetesVersion = "v1.35";

    /// <summary>Every problem of the definition in <paramref name="yaml"/>, as "path: message".</summary>
    public static IReadOnlyList<string> Problems(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var problems = new List<string>();
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return ["the definition must be one YAML map"];
        }
        foreach (var key in Keys(root).Where(k => !ManifestKeys.Contains(k)))
        {
            problems.Add($"{key}: not a field of a Sonobuoy plugin definition");
        }
        if (Child(root, "sonobuoy-config") is YamlMappingNode config)
        {
            foreach (var key in Keys(config).Where(k => !SonobuoyConfigKeys.Contains(k)))
            {
                problems.Add($"sonobuoy-config.{key}: not a field of sonobuoy-config");
            }
            if (!Drivers.Contains(Scalar(config, "driver") ?? ""))
            {
                problems.Add("sonobuoy-config.driver: must be Job or DaemonSet");
            }
            if (string.IsNullOrEmpty(Scalar(config, "plugin-name")))
            {
                problems.Add("sonobuoy-config.plugin-name: missing");
            }
            if (Scalar(config, "result-format") is { } format && !ResultFormats.Contains(format))
            {
                problems.Add($"sonobuoy-config.result-format: '{format}' is not junit, raw, gojson or manual");
            }
        }
        else
        {
            problems.Add("sonobuoy-config: missing");
        }
        var definitions = (JsonObject)SwaggerDocuments.For(KubernetesVersion)["definitions"]!;
        if (Child(root, "spec") is { } spec)
        {
            CheckAgainst(spec, Ref("io.k8s.api.core.v1.Container"), "spec", definitions, problems);
        }
        else
        {
            problems.Add("spec: missing");
        }
        if (Child(root, "podSpec") is { } podSpec)
        {
            CheckAgainst(podSpec, Ref("io.k8s.api.core.v1.PodSpec"), "podSpec", definitions, problems);
        }
        if (Child(root, "extra-volumes") is { } volumes)
        {
            CheckAgainst(volumes, new JsonObject { ["type"] = "array", ["items"] = Ref("io.k8s.api.core.v1.Volume") }, "extra-volumes", definitions, problems);
        }
        if (Child(root, "config-map") is { } configMap)
        {
            CheckAgainst(configMap, new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } }, "config-map", definitions, problems);
        }
        return problems;
    }

    private static JsonObject Ref(string definition) => new() { ["$ref"] = "#/definitions/" + definition };

    private static void CheckAgainst(YamlNode node, JsonObject schema, string path, JsonObject definitions, List<string> problems)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = (JsonObject)definitions[reference["#/definitions/".Length..]]!;
        }
        var type = schema["type"]?.GetValue<string>();
        if (schema["properties"] is JsonObject properties)
        {
            if (node is not YamlMappingNode map)
            {
                problems.Add($"{path}: must be a map");
                return;
            }
            foreach (var (key, value) in map.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                if (properties[name] is JsonObject property)
                {
                    CheckAgainst(value, property, $"{path}.{name}", definitions, problems);
                }
                else
                {
                    problems.Add($"{path}.{name}: unknown field");
                }
            }
            return;
        }
        switch (type)
        {
            case "object" when schema["additionalProperties"] is JsonObject valueSchema:
                if (node is not YamlMappingNode entries)
                {
                    problems.Add($"{path}: must be a map");
                    return;
                }
                foreach (var (key, value) in entries.Children)
                {
                    CheckAgainst(value, valueSchema, $"{path}.{((YamlScalarNode)key).Value}", definitions, problems);
                }
                break;
            case "array":
                if (node is not YamlSequenceNode items)
                {
                    problems.Add($"{path}: must be a list");
                    return;
                }
                for (var i = 0; i < items.Children.Count; i++)
                {
                    CheckAgainst(items.Children[i], (JsonObject)schema["items"]!, $"{path}[{i}]", definitions, problems);
                }
                break;
            case "string" or "integer" or "boolean" or "number" when node is not YamlScalarNode:
                problems.Add($"{path}: must be a {type}");
                break;
        }
    }

    private static IEnumerable<string> Keys(YamlMappingNode map) => map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode map, string key) => Child(map, key) is YamlScalarNode s ? s.Value : null;
}
