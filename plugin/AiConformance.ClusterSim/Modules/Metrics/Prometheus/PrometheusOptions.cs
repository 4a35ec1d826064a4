using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>How the simulated Prometheus finds its targets: through the Prometheus Operator's monitors, or by pod annotations.</summary>
public enum TargetDiscovery { Operator, Annotations }

/// <summary>
/// Options of the <c>prometheus</c> component: <c>discovery</c> (<c>operator</c>: a Prometheus Operator's
/// <c>Prometheus</c> selecting every PodMonitor and ServiceMonitor; <c>annotations</c>: a plain Prometheus scraping the
/// pods annotated <c>prometheus.io/scrape</c>), <c>namespace</c> (default <c>monitoring</c>), <c>scrapeInterval</c>
/// (default 30s, as Prometheus's) and <c>fault</c>.
/// </summary>
public sealed record PrometheusOptions : IComponentOptions<PrometheusOptions>
{
    private static readonly Dictionary<string, TargetDiscovery> Discoveries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["operator"] = TargetDiscovery.Operator,
        ["annotations"] = TargetDiscovery.Annotations,
    };

    public TargetDiscovery Discovery { get; init; } = TargetDiscovery.Operator;

    public string Namespace { get; init; } = "monitoring";

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(30);

    public IPrometheusFault? Fault { get; init; }

    public static PrometheusOptions Read(ComponentOptionReader options) => new()
    {
        Discovery = options.OneOf("discovery", TargetDiscovery.Operator, Discoveries),
        Namespace = options.Text("namespace", "monitoring"),
        ScrapeInterval = options.Duration("scrapeInterval", TimeSpan.FromSeconds(30), aboveZero: true),
        Fault = options.OptionalFault(PrometheusFaults.Catalog),
    };
}
