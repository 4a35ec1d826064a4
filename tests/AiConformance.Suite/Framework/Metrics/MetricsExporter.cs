using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>An accelerator metrics exporter found in the cluster: its profile and its pods (a DaemonSet's, one per node).</summary>
public sealed record MetricsExporter(ExporterProfile Profile, IReadOnlyList<V1Pod> Pods, string Origin) : IDetected
{
    public string Name => Profile.Name;

    public string Summary =>
        $"{Profile.Name} ({Origin}): {Pods.Count} pod(s) [{string.Join(", ", Pods.Select(pod => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on {pod.Spec.NodeName ?? "(unscheduled)"}"))}], port {Profile.Port}";

    public bool HasPodOn(string node) => Pods.Any(pod => pod.Spec.NodeName == node);

    /// <summary>The exporter pod of the node once it runs (it may still be starting); null when the node has none.</summary>
    public async Task<V1Pod?> RunningPodOnAsync(RunContext run, string node)
    {
        if (Pods.FirstOrDefault(pod => pod.Spec.NodeName == node) is not { } pod) return null;
        var seen = await Wait.For(new ClusterObjects<V1Pod>(run.Kubernetes, pod.Metadata.NamespaceProperty).Watchable(pod.Metadata.Name))
            .Until($"the {Name} pod on {node} to run", pods => pods.Any(PodWaits.IsRunning)).DescribedBy(PodWaits.Describe)
            .Within(run.Timeouts().PodRunning).Async(run.Cancellation);
        return seen.First(PodWaits.IsRunning);
    }
}

/// <summary>
/// Finds accelerator metrics exporters: the known ones (<see cref="ExporterProfile.Known"/>) by the labels of their
/// pods (running or starting) in any namespace, or the one configured by <c>metrics.exporter.selector</c> (with
/// <c>metrics.exporter.profile</c> naming the metric names it uses and <c>metrics.exporter.port</c>).
/// <c>metrics.exporters</c> restricts the known ones by name.
/// </summary>
public static class MetricsExporterDetection
{
    public const string ExportersKey = "metrics.exporters";
    public const string SelectorKey = "metrics.exporter.selector";
    public const string ProfileKey = "metrics.exporter.profile";
    public const string PortKey = "metrics.exporter.port";

    public static readonly DetectedCases<MetricsExporter> Cases = new(DetectAsync);

    public static async Task<Detection<MetricsExporter>> DetectAsync(RunContext run)
    {
        var configuration = run.Configuration;
        var lookedFor = new List<string>();
        var found = new List<MetricsExporter>();
        if (configuration.Get(SelectorKey) is { } selector)
        {
            var profileName = configuration.GetString(ProfileKey, ExporterProfile.Dcgm.Name);
            var profile = ExporterProfile.Known.FirstOrDefault(known => string.Equals(known.Name, profileName, StringComparison.OrdinalIgnoreCase))
                ?? throw new ConfigurationException($"'{ProfileKey}' is '{profileName}'; use one of {string.Join(", ", ExporterProfile.Known.Select(known => known.Name))}");
            profile = profile with { Name = "Configured", PodSelectors = [selector], Port = configuration.GetInt(PortKey, profile.Port) };
            lookedFor.Add($"pods labelled `{selector}` ({SelectorKey}), read as {profileName}");
            await AddIfRunningAsync(run, profile, "configured", found);
            return new Detection<MetricsExporter>(found, lookedFor);
        }
        var allowed = configuration.GetList(ExportersKey);
        foreach (var profile in ExporterProfile.Known.Where(known => allowed.Count == 0 || allowed.Contains(known.Name, StringComparer.OrdinalIgnoreCase)))
        {
            lookedFor.Add($"{profile.Name}: pods labelled {string.Join(" or ", profile.PodSelectors.Select(s => $"`{s}`"))}");
            await AddIfRunningAsync(run, profile, "detected", found);
        }
        return new Detection<MetricsExporter>(found, lookedFor);
    }

    private static async Task AddIfRunningAsync(RunContext run, ExporterProfile profile, string origin, List<MetricsExporter> found)
    {
        var pods = new List<V1Pod>();
        foreach (var selector in profile.PodSelectors)
            pods.AddRange((await run.Kubernetes.CoreV1.ListPodForAllNamespacesAsync(labelSelector: selector, cancellationToken: run.Cancellation)).Items
                .Where(pod => !PodWaits.HasEnded(pod) && pod.Metadata.DeletionTimestamp is null && pods.All(known => known.Metadata.Uid != pod.Metadata.Uid)));
        if (pods.Count > 0) found.Add(new MetricsExporter(profile, pods, origin));
    }
}
