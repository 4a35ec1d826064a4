using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>How a monitoring system finds what to scrape.</summary>
public enum ScrapeDiscovery { PodMonitor, ServiceMonitor, Annotations }

/// <summary>Where a monitoring system answers PromQL: a Service reached through the API server's service proxy, or a URL.</summary>
public sealed record QueryEndpoint(string? Namespace, string? Service, string? Port, Uri? Url)
{
    public static QueryEndpoint OfService(string ns, string service, string port) => new(ns, service, port, null);

    public override string ToString() => Url?.ToString() ?? $"Service {Namespace}/{Service}:{Port} through the API server's service proxy";
}

/// <summary>
/// A monitoring system found in the cluster: how it discovers targets (and what labels a PodMonitor or ServiceMonitor
/// and the test's namespace must carry for its selectors to pick them), where it answers queries, and, when the Suite
/// cannot query it, why.
/// </summary>
public sealed record MonitoringSystem(string Name, string Description, ScrapeDiscovery Discovery, QueryEndpoint? Query) : IDetected
{
    /// <summary>Labels a monitor must carry to be selected by the Prometheus.</summary>
    public IReadOnlyDictionary<string, string> MonitorLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels the test namespace must carry for the Prometheus to look for monitors in it.</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The namespace monitors must be created in when the Prometheus looks only in its own; null: the test's.</summary>
    public string? MonitorNamespace { get; init; }

    /// <summary>Why the Suite cannot query this system (an OpenTelemetry collector has no query API); null when it can.</summary>
    public string? CannotQuery { get; init; }

    public string Summary =>
        $"{Description}; discovers by {Discovery}" + (MonitorLabels.Count > 0 ? $" (monitors labelled {Labels(MonitorLabels)})" : "") +
        (NamespaceLabels.Count > 0 ? $" in namespaces labelled {Labels(NamespaceLabels)}" : "") +
        (MonitorNamespace is { } only ? $" in namespace {only} only" : "") + $"; queried at {Query?.ToString() ?? "(nowhere)"}";

    private static string Labels(IReadOnlyDictionary<string, string> labels) => string.Join(",", labels.Select(label => $"{label.Key}={label.Value}"));
}

/// <summary>
/// Finds the monitoring system the platform offers, in this order: the one configured (<c>metrics.query.url</c> or
/// <c>metrics.query.service</c>, with <c>metrics.discovery</c> and <c>metrics.monitor.labels</c>); the Prometheus Operator's
/// <c>Prometheus</c> objects (one case each, queried through the operator's <c>prometheus-operated</c> Service); else
/// Prometheus Services (labelled <c>app.kubernetes.io/name=prometheus</c> or <c>app=prometheus</c>, scraping annotated pods);
/// else OpenTelemetry collectors, which have no query API of their own.
/// </summary>
public static class MonitoringDetection
{
    public const string QueryUrlKey = "metrics.query.url";
    public const string QueryServiceKey = "metrics.query.service";
    public const string DiscoveryKey = "metrics.discovery";
    public const string MonitorLabelsKey = "metrics.monitor.labels";

    private static readonly string[] PrometheusServiceSelectors = ["app.kubernetes.io/name=prometheus", "app=prometheus"];
    private static readonly string[] CollectorSelectors = ["app.kubernetes.io/component=opentelemetry-collector", "app.kubernetes.io/name=opentelemetry-collector"];

    public static readonly DetectedCases<MonitoringSystem> Cases = new(DetectAsync);

    public static async Task<Detection<MonitoringSystem>> DetectAsync(RunContext run)
    {
        if (Configured(run.Configuration) is { } configured)
            return new Detection<MonitoringSystem>([configured], [$"the configured query endpoint ({QueryUrlKey} / {QueryServiceKey})"]);
        var lookedFor = new List<string>();
        var found = await OperatorPrometheusesAsync(run, lookedFor);
        if (found.Count == 0) found.AddRange(await PrometheusServicesAsync(run, lookedFor));
        else lookedFor.Add("(plain Prometheus Services: not looked for, the Prometheus Operator's were found)");
        if (found.Count == 0) found.AddRange(await CollectorsAsync(run, lookedFor));
        return new Detection<MonitoringSystem>(found, lookedFor);
    }

    private static MonitoringSystem? Configured(SuiteConfiguration configuration)
    {
        var url = configuration.Get(QueryUrlKey);
        var service = configuration.Get(QueryServiceKey);
        if (url is null && service is null) return null;
        QueryEndpoint endpoint;
        if (url is not null)
            endpoint = Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? new QueryEndpoint(null, null, null, uri)
                : throw new ConfigurationException($"'{QueryUrlKey}' is '{url}', not an http(s) URL; give the Prometheus-compatible API's base, e.g. http://prometheus.monitoring.svc:9090");
        else
            endpoint = service!.Split('/', ':') is [var ns, var name, var port] && ns.Length > 0 && name.Length > 0 && port.Length > 0 ? QueryEndpoint.OfService(ns, name, port)
                : throw new ConfigurationException($"'{QueryServiceKey}' is '{service}'; give NAMESPACE/SERVICE:PORT, e.g. monitoring/prometheus-k8s:9090");
        var discovery = configuration.GetString(DiscoveryKey, nameof(ScrapeDiscovery.Annotations));
        if (!Enum.TryParse<ScrapeDiscovery>(discovery, ignoreCase: true, out var parsed))
            throw new ConfigurationException($"'{DiscoveryKey}' is '{discovery}'; use one of {string.Join(", ", Enum.GetNames<ScrapeDiscovery>())}");
        var labels = new Dictionary<string, string>();
        foreach (var pair in configuration.GetList(MonitorLabelsKey))
            labels[pair.Split('=')[0]] = pair.Contains('=') ? pair[(pair.IndexOf('=') + 1)..]
                : throw new ConfigurationException($"'{MonitorLabelsKey}' has '{pair}'; give KEY=VALUE pairs separated by commas");
        return new MonitoringSystem("Configured", "configured query endpoint", parsed, endpoint) { MonitorLabels = labels };
    }

    private static async Task<List<MonitoringSystem>> OperatorPrometheusesAsync(RunContext run, List<string> lookedFor)
    {
        const string what = "Prometheus Operator: Prometheus objects (monitoring.coreos.com/v1) in any namespace";
        IList<PrometheusObject> prometheuses;
        try
        {
            prometheuses = (await new ClusterObjects<PrometheusObject>(run.Kubernetes, null).ListAsync(null, null, run.Cancellation)).Items;
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            lookedFor.Add($"{what} (the API is not served)");
            return [];
        }
        lookedFor.Add(what);
        var found = new List<MonitoringSystem>();
        foreach (var prometheus in prometheuses)
        {
            var ns = prometheus.Metadata.NamespaceProperty;
            var name = prometheus.Metadata.Name;
            var spec = prometheus.Spec ?? [];
            var (discovery, selector, namespaceSelector) = spec["podMonitorSelector"] is JsonObject pods
                ? (ScrapeDiscovery.PodMonitor, pods, spec["podMonitorNamespaceSelector"])
                : spec["serviceMonitorSelector"] is JsonObject services ? (ScrapeDiscovery.ServiceMonitor, services, spec["serviceMonitorNamespaceSelector"])
                : (ScrapeDiscovery.PodMonitor, null, null);
            var caseName = prometheuses.Count == 1 ? "PrometheusOperator" : $"PrometheusOperator{Pascal(ns)}{Pascal(name)}";
            var system = new MonitoringSystem(caseName, $"Prometheus {ns}/{name} (Prometheus Operator)", discovery, QueryEndpoint.OfService(ns, "prometheus-operated", "web"));
            found.Add(selector is null
                ? system with { CannotQuery = $"Prometheus {ns}/{name} selects neither PodMonitors nor ServiceMonitors (no podMonitorSelector or serviceMonitorSelector); it discovers nothing a workload can declare" }
                : system with
                {
                    MonitorLabels = SatisfyingLabels(selector),
                    NamespaceLabels = namespaceSelector is JsonObject namespaces ? SatisfyingLabels(namespaces) : new Dictionary<string, string>(),
                    MonitorNamespace = namespaceSelector is null ? ns : null,
                });
        }
        return found;
    }

    private static async Task<List<MonitoringSystem>> PrometheusServicesAsync(RunContext run, List<string> lookedFor)
    {
        lookedFor.Add($"Prometheus Services labelled {string.Join(" or ", PrometheusServiceSelectors.Select(s => $"`{s}`"))} (scraping pods annotated prometheus.io/scrape)");
        var services = new List<V1Service>();
        foreach (var selector in PrometheusServiceSelectors)
            services.AddRange((await run.Kubernetes.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: selector, cancellationToken: run.Cancellation)).Items
                .Where(service => services.All(known => known.Metadata.Uid != service.Metadata.Uid) && service.Spec.Ports is { Count: > 0 }));
        return [.. services.Select((service, index) =>
        {
            var port = service.Spec.Ports.FirstOrDefault(p => p.Name is "http" or "web") ?? service.Spec.Ports[0];
            var name = services.Count == 1 ? "PrometheusService" : $"PrometheusService{Pascal(service.Metadata.NamespaceProperty)}{Pascal(service.Metadata.Name)}";
            return new MonitoringSystem(name, $"Prometheus Service {service.Metadata.NamespaceProperty}/{service.Metadata.Name}", ScrapeDiscovery.Annotations,
                QueryEndpoint.OfService(service.Metadata.NamespaceProperty, service.Metadata.Name, port.Name ?? port.Port.ToString(CultureInfo.InvariantCulture)));
        })];
    }

    private static async Task<List<MonitoringSystem>> CollectorsAsync(RunContext run, List<string> lookedFor)
    {
        lookedFor.Add($"OpenTelemetry collectors: pods labelled {string.Join(" or ", CollectorSelectors.Select(s => $"`{s}`"))}");
        var pods = new List<V1Pod>();
        foreach (var selector in CollectorSelectors)
            pods.AddRange((await run.Kubernetes.CoreV1.ListPodForAllNamespacesAsync(labelSelector: selector, cancellationToken: run.Cancellation)).Items);
        var first = pods.FirstOrDefault();
        return first is null ? [] :
        [
            new MonitoringSystem("OpenTelemetryCollector", $"OpenTelemetry collector {first.Metadata.NamespaceProperty}/{first.Metadata.Name}", ScrapeDiscovery.Annotations, null)
            {
                CannotQuery = "an OpenTelemetry collector has no query API of its own; name the Prometheus-compatible backend it writes to with " +
                              $"'{QueryUrlKey}' or '{QueryServiceKey}' (and '{DiscoveryKey}' for how the collector discovers targets)",
            },
        ];
    }

    /// <summary>Labels that a label selector selects: its matchLabels, the first value of each In, <c>true</c> for Exists.</summary>
    public static Dictionary<string, string> SatisfyingLabels(JsonObject selector)
    {
        var labels = (selector["matchLabels"] as JsonObject ?? []).ToDictionary(pair => pair.Key, pair => (string?)pair.Value ?? "");
        foreach (var expression in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = (string?)expression["key"] ?? "";
            var values = (expression["values"] as JsonArray ?? []).Select(value => (string?)value ?? "").ToList();
            switch ((string?)expression["operator"])
            {
                case "In" when values.Count > 0:
                    labels[key] = values[0];
                    break;
                case "Exists":
                    labels.TryAdd(key, "true");
                    break;
            }
        }
        return labels;
    }

    private static string Pascal(string text) =>
        string.Concat(text.Split('-', '.', '_').Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
