using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>How the simulated Prometheus finds its targets: through the Prometheus Operator's monitors, or by pod annotations.</summary>
public enum TargetDiscovery { Operator, Annotations }

/// <summary>
/// Options of the <c>prometheus</c> component: <c>discovery</c> (<c>operator</c>: a Prometheus Operator's
/// <c>Prometheus</c> selecting every PodMonitor and ServiceMonitor; <c>annotations</c>: a plain Prometheus scraping the
/// pods annotated <c>prometheus.io/scrape</c>), <c>namespace</c> (default <c>monitoring</c>), <c>scrapeInterval</c>
/// (default 30s, as Prometheus's) and <c>fault</c>.
/// </summary>
public sealed record PrometheusOptions
{
    private static readonly string[] Known = ["discovery", "namespace", "scrapeInterval", "fault"];

    public TargetDiscovery Discovery { get; init; } = TargetDiscovery.Operator;

    public string Namespace { get; init; } = "monitoring";

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(30);

    public IPrometheusFault? Fault { get; init; }

    public static (PrometheusOptions Options, IReadOnlyList<string> Problems) Bind(ComponentOptions? component)
    {
        var options = new PrometheusOptions();
        var problems = new List<string>();
        foreach (var (key, value) in component?.Options ?? [])
        {
            switch (key)
            {
                case "discovery" when Enum.TryParse<TargetDiscovery>(value, ignoreCase: true, out var discovery):
                    options = options with { Discovery = discovery };
                    break;
                case "discovery":
                    problems.Add($"discovery '{value}' is not one of operator, annotations");
                    break;
                case "namespace":
                    options = options with { Namespace = value };
                    break;
                case "scrapeInterval" when DurationConverter.Parse(value) is { } interval && interval > TimeSpan.Zero:
                    options = options with { ScrapeInterval = interval };
                    break;
                case "scrapeInterval":
                    problems.Add($"scrapeInterval '{value}' is not a duration above zero (e.g. 30s, 500ms)");
                    break;
                case "fault" when PrometheusFaults.TryGet(value, out var fault):
                    options = options with { Fault = fault };
                    break;
                case "fault":
                    problems.Add($"fault '{value}' is not a Prometheus fault; known: {string.Join(", ", PrometheusFaults.Names)}");
                    break;
                default:
                    problems.Add($"unknown option '{key}'; known: {string.Join(", ", Known)}");
                    break;
            }
        }
        return (options, problems);
    }
}
