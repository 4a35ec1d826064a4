namespace AiConformance.Suite.Framework;

/// <summary>
/// The images the fixtures run, by role, and the configuration keys that replace them (for mirrors and air-gapped
/// clusters). The plugin image plays every workload role, so by default this is the only image to mirror.
/// </summary>
public static class DefaultImages
{
    /// <summary>The plugin image's repository; the tag is <see cref="PluginVersion"/>.</summary>
    public const string PluginRepository = "ghcr.io/ai-conformance/aiconformance";

    /// <summary>Kept equal to the plugin executable's version (plugin/AiConformance.Plugin, &lt;Version&gt;).</summary>
    public const string PluginVersion = "0.1.0";

    public const string Plugin = PluginRepository + ":" + PluginVersion;

    /// <summary>Configuration key of the image that runs <c>aiconformance probe</c>.</summary>
    public const string ProbeKey = "images.probe";

    /// <summary>Every role's key and default, for <c>aiconformance images</c>.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [ProbeKey] = Plugin,
    };

    /// <summary>The probe image: the user's <c>images.probe</c>, else the plugin image.</summary>
    public static string Probe(SuiteConfiguration configuration) => configuration.Get(ProbeKey) ?? Plugin;
}
