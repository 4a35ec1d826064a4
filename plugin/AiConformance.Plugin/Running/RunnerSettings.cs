using AiConformance.Checklist;
using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Running;

/// <summary>
/// The configuration keys of the runner itself, beside the fixtures' own: the checklist's <c>metadata.*</c> fields
/// the cleanup grace after a stop and how many tests run side by side.
/// </summary>
public static class RunnerSettings
{
    public const string MetadataPrefix = "metadata.";

    public const string CleanupGraceKey = "run.cleanupGraceSeconds";

    public static readonly TimeSpan DefaultCleanupGrace = TimeSpan.FromSeconds(20);

    /// <summary>The most tests run side by side (as <c>--parallel</c>); unset means one per schedulable node.</summary>
    public const string ParallelKey = "run.parallel";

    /// <summary>Every key, spelled as documented; environment overrides are matched against these.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        .. ChecklistCatalog.Versions.SelectMany(v => v.MetadataFields).Distinct().Select(field => MetadataPrefix + field),
        CleanupGraceKey,
        ParallelKey,
    ];

    public static TimeSpan CleanupGrace(SuiteConfiguration configuration) => configuration.GetDuration(CleanupGraceKey, DefaultCleanupGrace);

    public static int? Parallel(SuiteConfiguration configuration)
    {
        if (configuration.Get(ParallelKey) is null) return null;
        var bound = configuration.GetInt(ParallelKey, 1);
        return bound > 0 ? bound
            : throw new ConfigurationException($"configuration key '{ParallelKey}' is {bound}; hint: give the most tests to run at once, 1 or more");
    }

    /// <summary>Values for the checklist's metadata, by the template's spelling of each field (environment overrides are case-blind).</summary>
    public static Dictionary<string, string> Metadata(SuiteConfiguration configuration) =>
        configuration.Values
            .Where(kv => kv.Key.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) && kv.Value.Length > 0)
            .ToDictionary(kv => MetadataField(kv.Key[MetadataPrefix.Length..]), kv => kv.Value);

    private static string MetadataField(string name) =>
        ChecklistCatalog.Versions.SelectMany(v => v.MetadataFields).FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name;
}
