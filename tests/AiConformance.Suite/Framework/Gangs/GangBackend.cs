using k8s;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// A gang scheduler the cluster serves: its API group, the version the fixture will use and, for a scheduler that
/// runs beside the default one under a name of its own (coscheduling), that name or where it was looked for.
/// </summary>
public sealed record GangBackend(string Name, string Group, string Version, string What, string? SchedulerName = null, string? SchedulerFrom = null) : IDetected
{
    public string Summary => $"{Name}: {What} served as {Group}/{Version}" + (SchedulerFrom is null ? "" : $"; scheduler name {SchedulerName ?? "not found"} ({SchedulerFrom})");
}

/// <summary>
/// Finds the gang schedulers a cluster serves from API discovery: Kueue (<c>kueue.x-k8s.io</c>, v1beta2 preferred to
/// v1beta1), Volcano, scheduler-plugins coscheduling and KAI (their PodGroup groups), and the native Workload API
/// (<c>scheduling.k8s.io</c> in an alpha version). The configuration key <c>gang.backends</c> (comma-separated names)
/// restricts the search to the named ones. Coscheduling is a plugin of a scheduler profile: its scheduler name is
/// <c>gang.coscheduling.schedulerName</c>, else the profile that enables it in a KubeSchedulerConfiguration held by a
/// ConfigMap (as scheduler-plugins installs it).
/// </summary>
public static class GangSchedulerDetection
{
    public const string BackendsKey = "gang.backends";
    public const string CoschedulingSchedulerKey = "gang.coscheduling.schedulerName";

    private sealed record Candidate(string Name, string Group, string[] Versions, string What);

    private static readonly Candidate[] Candidates =
    [
        new("Kueue", "kueue.x-k8s.io", ["v1beta2", "v1beta1"], "Kueue Workloads and queues"),
        new("Volcano", "scheduling.volcano.sh", ["v1beta1"], "Volcano PodGroups"),
        new("Coscheduling", "scheduling.x-k8s.io", ["v1alpha1"], "scheduler-plugins coscheduling PodGroups"),
        new("Kai", "scheduling.run.ai", ["v2alpha2", "v2"], "KAI scheduler PodGroups"),
        new("WorkloadApi", "scheduling.k8s.io", ["v1alpha3", "v1alpha2", "v1alpha1"], "the native Workload API"),
    ];

    /// <summary>The backend names <c>gang.backends</c> accepts.</summary>
    public static IEnumerable<string> Names => Candidates.Select(candidate => candidate.Name);

    public static async Task<Detection<GangBackend>> DetectAsync(RunContext run)
    {
        var wanted = run.Configuration.GetList(BackendsKey);
        var unknown = wanted.Where(name => !Names.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
            throw new ConfigurationException($"configuration key '{BackendsKey}' names {string.Join(", ", unknown)}; known: {string.Join(", ", Names)}");
        var served = (await run.Kubernetes.Apis.GetAPIVersionsAsync(run.Cancellation)).Groups
            .ToDictionary(group => group.Name, group => group.Versions.Select(version => version.Version).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var found = new List<GangBackend>();
        var lookedFor = new List<string>();
        foreach (var candidate in Candidates.Where(c => wanted.Count == 0 || wanted.Contains(c.Name, StringComparer.OrdinalIgnoreCase)))
        {
            lookedFor.Add($"{candidate.What} ({candidate.Group} {string.Join(" or ", candidate.Versions)})");
            if (served.TryGetValue(candidate.Group, out var versions) && candidate.Versions.FirstOrDefault(versions.Contains) is { } version)
                found.Add(candidate.Name == "Coscheduling"
                    ? await WithSchedulerNameAsync(new GangBackend(candidate.Name, candidate.Group, version, candidate.What), run)
                    : new GangBackend(candidate.Name, candidate.Group, version, candidate.What));
        }
        if (wanted.Count > 0) lookedFor.Add($"only {string.Join(", ", wanted)} ({BackendsKey})");
        return new Detection<GangBackend>(found, lookedFor);
    }

    /// <summary>The coscheduling scheduler's name: configured, else the profile enabling Coscheduling in a scheduler configuration.</summary>
    private static async Task<GangBackend> WithSchedulerNameAsync(GangBackend backend, RunContext run)
    {
        if (run.Configuration.Get(CoschedulingSchedulerKey) is { } configured)
            return backend with { SchedulerName = configured, SchedulerFrom = CoschedulingSchedulerKey };
        var maps = await run.Kubernetes.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: run.Cancellation);
        foreach (var map in maps.Items)
            foreach (var (key, text) in map.Data ?? new Dictionary<string, string>())
                if (SchedulerConfiguration.ProfileEnabling(text, "Coscheduling") is { } name)
                    return backend with { SchedulerName = name, SchedulerFrom = $"ConfigMap {map.Metadata.NamespaceProperty}/{map.Metadata.Name} key {key}" };
        return backend with { SchedulerFrom = $"no KubeSchedulerConfiguration enabling Coscheduling in a ConfigMap, and no {CoschedulingSchedulerKey}" };
    }
}
