using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.OpenApi;

/// <summary>
/// The published kube-apiserver <c>/openapi/v2</c> documents of the supported Kubernetes versions, embedded gzipped.
/// Parsed once per process and shared read-only.
/// </summary>
public static class SwaggerDocuments
{
    public static readonly IReadOnlyList<string> SupportedVersions = ["v1.34", "v1.35", "v1.36"];

    private static readonly ConcurrentDictionary<string, Lazy<JsonObject>> Cache = new();

    /// <summary>The swagger document of <paramref name="kubernetesVersion"/> ("v1.35" or "1.35"); do not mutate it.</summary>
    public static JsonObject For(string kubernetesVersion)
    {
        var version = Normalize(kubernetesVersion);
        return Cache.GetOrAdd(version, v => new Lazy<JsonObject>(() => Load(v))).Value;
    }

    public static string Normalize(string kubernetesVersion)
    {
        var version = kubernetesVersion.StartsWith('v') ? kubernetesVersion : "v" + kubernetesVersion;
        var parts = version.Split('.');
        if (parts.Length >= 2) version = parts[0] + "." + parts[1];
        if (!SupportedVersions.Contains(version))
            throw new ArgumentException(
                $"Kubernetes version '{kubernetesVersion}' is not simulated; use one of {string.Join(", ", SupportedVersions)}.");
        return version;
    }

    private static JsonObject Load(string version)
    {
        var resource = $"openapi/swagger-{version}.json.gz";
        using var stream = typeof(SwaggerDocuments).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded OpenAPI document {resource} is missing from the build.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return JsonNode.Parse(gzip)!.AsObject();
    }
}
