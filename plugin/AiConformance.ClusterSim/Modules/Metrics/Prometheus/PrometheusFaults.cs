using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>What a broken Prometheus does differently from a working one.</summary>
public interface IPrometheusFault
{
    /// <summary>Whether the targets a discovery of this kind finds are scraped at all.</summary>
    bool Discovers(TargetSource source) => true;

    /// <summary>Whether pods and Services of this namespace can be discovered (its service account may list them there).</summary>
    bool SeesNamespace(string ns, string prometheusNamespace) => true;

    /// <summary>The samples stored from one scrape of a target, given what the target answered.</summary>
    IReadOnlyList<ScrapedSample> Store(string target, IReadOnlyList<ScrapedSample> scraped) => scraped;
}

/// <summary>The Prometheus faults, by the name a scenario's <c>fault:</c> option gives.</summary>
public static class PrometheusFaults
{
    public static readonly FaultCatalog<IPrometheusFault> Catalog = new("a Prometheus fault", new Dictionary<string, Func<IPrometheusFault>>
    {
        [IgnoresPodMonitors.Name] = () => new IgnoresPodMonitors(),
        [OnlySomeNamespaces.Name] = () => new OnlySomeNamespaces(),
        [StaleScrapes.Name] = () => new StaleScrapes(),
    });
}

/// <summary>
/// The Prometheus selects PodMonitors in its spec, but they never become scrape jobs (an operator too old for the
/// PodMonitor CRD, or one started without permission to list them): only ServiceMonitor targets are scraped.
/// </summary>
public sealed class IgnoresPodMonitors : IPrometheusFault
{
    public const string Name = "ignores-pod-monitors";

    public bool Discovers(TargetSource source) => source != TargetSource.PodMonitor;
}

/// <summary>
/// Prometheus's service account may list pods, Services and endpoints only in its own namespace, <c>default</c> and
/// <c>kube-system</c> (the Roles kube-prometheus creates by default): targets in any other namespace are never found.
/// </summary>
public sealed class OnlySomeNamespaces : IPrometheusFault
{
    public const string Name = "only-some-namespaces";

    public bool SeesNamespace(string ns, string prometheusNamespace) => ns == prometheusNamespace || ns is "default" or "kube-system";
}

/// <summary>Every target's first scrape is stored again and again (a scrape cache never refreshed): the values never move.</summary>
public sealed class StaleScrapes : IPrometheusFault
{
    public const string Name = "stale-scrapes";
    private readonly Dictionary<string, IReadOnlyList<ScrapedSample>> first = [];
    private readonly Lock gate = new();

    public IReadOnlyList<ScrapedSample> Store(string target, IReadOnlyList<ScrapedSample> scraped)
    {
        lock (gate)
        {
            if (!first.TryGetValue(target, out var kept)) first[target] = kept = scraped;
            return kept;
        }
    }
}
