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

    /// <summary>
    /// The exporter pod of the node once it runs (it may still be starting, or, on a node that joined lately, still to
    /// be created by its DaemonSet); null when the node has none.
    /// </summary>
    public async Task<V1Pod?> RunningPodOnAsync(RunContext run, string node)
    {
        if ((Pods.FirstOrDefault(pod => pod.Spec.NodeName == node) ?? await PodMadeSinceAsync(run, node)) is not { } pod) return null;
        var seen = await Wait.For(new ClusterObjects<V1Pod>(run.Kubernetes, pod.Metadata.NamespaceProperty).Watchable(pod.Metadata.Name))
            .Until($"the {Name} pod on {node} to run", pods => pods.Any(PodWaits.IsRunning)).DescribedBy(PodWaits.Describe)
            .Within(run.Timeouts().PodRunning).Async(run.Cancellation);
        return seen.First(PodWaits.IsRunning);
    }

    /// <summary>
    /// The exporter's pod on a node that had none when its pods were listed. A DaemonSet places its pod once a node
    /// joins (an autoscaler adds nodes at any time, also just before the exporter was found), so a node is given the
    /// time a pod has to start, counted from the node's creation; a node older than that gets one more look.
    /// </summary>
    private async Task<V1Pod?> PodMadeSinceAsync(RunContext run, string node)
    {
        if (Pods.Count == 0) return null;
        var created = (await new ClusterObjects<V1Node>(run.Kubernetes, null).ListAsync(null, $"metadata.name={node}", run.Cancellation))
            .Items.FirstOrDefault()?.Metadata.CreationTimestamp;
        if (created is null) return null;
        var exporterPods = new ClusterObjects<V1Pod>(run.Kubernetes, Pods[0].Metadata.NamespaceProperty);
        var grace = created.Value + run.Timeouts().PodRunning - DateTime.UtcNow;
        if (grace <= TimeSpan.Zero)
            return (await exporterPods.ListAsync(null, $"spec.nodeName={node}", run.Cancellation)).Items.FirstOrDefault(pod => IsExporterPodOn(pod, node));
        var (found, seen) = await Wait.For(exporterPods.Watchable())
            .Until($"a {Name} pod on {node}, which joined the cluster at {created.Value:HH:mm:ss}", pods => pods.Any(pod => IsExporterPodOn(pod, node)))
            .Within(grace).ReachedAsync(run.Cancellation);
        return found ? seen.First(pod => IsExporterPodOn(pod, node)) : null;
    }

    /// <summary>A pod on <paramref name="node"/> of the same controller (the DaemonSet) as the pods found.</summary>
    private bool IsExporterPodOn(V1Pod pod, string node) =>
        pod.Spec.NodeName == node && pod.Metadata.DeletionTimestamp is null && ControllerOf(pod) is { } controller &&
        Pods.Any(known => ControllerOf(known) == controller);

    private static string? ControllerOf(V1Pod pod) => pod.Metadata.OwnerReferences?.FirstOrDefault(owner => owner.Controller == true)?.Uid;
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
