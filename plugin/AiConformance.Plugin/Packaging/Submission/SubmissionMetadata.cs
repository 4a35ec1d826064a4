using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>
/// The product's metadata for both submissions, from a YAML file written like the plugin configuration's
/// <c>metadata:</c> block (<c>metadata: {platformName: ..., vendorName: ...}</c>, or the same keys at the top level).
/// <c>productType</c> (distribution, hosted platform or installer) is used only by cncf/k8s-conformance.
/// </summary>
public static class SubmissionMetadata
{
    public static readonly IReadOnlyList<string> Keys =
    [
        "kubernetesVersion", "platformName", "platformVersion", "vendorName", "websiteUrl", "repoUrl", "documentationUrl",
        "productLogoUrl", "description", "contactEmailAddress", "k8sConformanceUrl", "productType",
    ];

    public static IReadOnlyDictionary<string, string> Load(string? path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is null)
        {
            return result;
        }
        if (!File.Exists(path))
        {
            throw new SubmissionInputException($"--metadata {path} does not exist; write a YAML file with a 'metadata:' map (platformName, vendorName, ...)");
        }
        Dictionary<string, string> flat;
        try
        {
            flat = SuiteConfiguration.ParseYaml(File.ReadAllText(path), path);
        }
        catch (ConfigurationException e)
        {
            throw new SubmissionInputException(e.Message);
        }
        foreach (var (rawKey, value) in flat.Where(f => !(f.Key.Equals("metadata", StringComparison.OrdinalIgnoreCase) && f.Value.Length == 0)))
        {
            var key = rawKey.StartsWith("metadata.", StringComparison.OrdinalIgnoreCase) ? rawKey["metadata.".Length..] : rawKey;
            var known = Keys.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase))
                ?? throw new SubmissionInputException(
                    $"{path}: unknown metadata key '{rawKey}'; the keys are {string.Join(", ", Keys)}");
            result[known] = value;
        }
        return result;
    }
}
