namespace AiConformance.Plugin.Sonobuoy;

/// <summary>
/// What Sonobuoy tells its plugin through the environment: that it runs under Sonobuoy, where results go, the port of
/// the worker's progress endpoint, the cluster's version and where the plugin's config-map is mounted.
/// </summary>
public sealed record SonobuoyEnvironment(string ResultsDirectory, int? ProgressPort, string? KubernetesVersion, string ConfigDirectory)
{
    /// <summary>File name of the plugin configuration inside the mounted config-map.</summary>
    public const string ConfigFileName = "ai-conformance.yaml";

    /// <summary>Name under which the plugin reports progress.</summary>
    public const string PluginName = "ai-conformance";

    /// <summary>The Sonobuoy settings, or null when not running under Sonobuoy.</summary>
    public static SonobuoyEnvironment? From(IReadOnlyDictionary<string, string> environment)
    {
        var results = environment.GetValueOrDefault("SONOBUOY_RESULTS_DIR");
        var flagged = string.Equals(environment.GetValueOrDefault("SONOBUOY"), "true", StringComparison.OrdinalIgnoreCase);
        if (!flagged && string.IsNullOrEmpty(results))
        {
            return null;
        }
        return new SonobuoyEnvironment(
            string.IsNullOrEmpty(results) ? "/tmp/sonobuoy/results" : results,
            int.TryParse(environment.GetValueOrDefault("SONOBUOY_PROGRESS_PORT"), out var port) && port > 0 ? port : null,
            NullIfEmpty(environment.GetValueOrDefault("SONOBUOY_K8S_VERSION")),
            NullIfEmpty(environment.GetValueOrDefault("SONOBUOY_CONFIG_DIR")) ?? "/tmp/sonobuoy/config");
    }

    /// <summary>The config-map's configuration file when it is mounted.</summary>
    public string? ConfigFile
    {
        get
        {
            var path = Path.Combine(ConfigDirectory, ConfigFileName);
            return File.Exists(path) ? path : null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
