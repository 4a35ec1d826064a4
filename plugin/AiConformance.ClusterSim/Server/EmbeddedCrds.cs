using System.Reflection;

namespace AiConformance.ClusterSim.Server;

/// <summary>
/// The CRD manifests embedded from <c>Data/crds/</c>, by folder (<c>gateway-api-v1.6.1-standard</c>, <c>kueue-v0.19.2</c>...),
/// with those derived from them where a project publishes one schema under two names (<see cref="Derived"/>).
/// </summary>
public static class EmbeddedCrds
{
    private const string Prefix = "crds/";

    /// <summary>The folders available, e.g. <c>kueue-v0.19.2</c>.</summary>
    public static IReadOnlyList<string> Folders() =>
        Resources().Select(r => r[Prefix.Length..].Split('/')[0]).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The manifest texts of one folder (or of one file, <c>folder/file.yaml</c>).</summary>
    public static IReadOnlyList<string> Read(string folderOrFile)
    {
        var key = Prefix + folderOrFile.Trim('/');
        var matches = Resources().Where(r => r == key || r.StartsWith(key + "/", StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
            throw new ArgumentException($"No embedded CRDs named '{folderOrFile}'. Available: {string.Join(", ", Folders())}.");
        return matches.SelectMany(name => Derived(name, ReadResource(name)).Prepend(ReadResource(name))).ToList();
    }

    /// <summary>
    /// Trainer's TrainingRuntime has the Go types of its ClusterTrainingRuntime, namespaced: its CRD is the cluster
    /// one's with the names and scope in the header (before <c>versions:</c>) changed.
    /// </summary>
    private static IEnumerable<string> Derived(string resource, string text)
    {
        if (!resource.EndsWith("/trainer.kubeflow.org_clustertrainingruntimes.yaml", StringComparison.Ordinal)) yield break;
        var versions = text.IndexOf("\n  versions:", StringComparison.Ordinal);
        yield return text[..versions]
            .Replace("clustertrainingruntime", "trainingruntime", StringComparison.Ordinal)
            .Replace("ClusterTrainingRuntime", "TrainingRuntime", StringComparison.Ordinal)
            .Replace("scope: Cluster", "scope: Namespaced", StringComparison.Ordinal) + text[versions..];
    }

    private static IEnumerable<string> Resources() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(r => r.StartsWith(Prefix, StringComparison.Ordinal) && r.EndsWith(".yaml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)!;
        return new StreamReader(stream).ReadToEnd();
    }
}
