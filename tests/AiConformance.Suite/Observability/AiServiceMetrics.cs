using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Gateways;
using AiConformance.Suite.Framework.Metrics;
using NUnit.Framework;

namespace AiConformance.Suite.Observability;

/// <summary>
/// ai_service_metrics (KAR-0061): the platform's monitoring system discovers an inference server that exposes
/// Prometheus metrics, collects them attributed to its namespace and pod, and its query API shows the request counter
/// growing by the requests sent, while a second server that gets no traffic stays where it was. Scraping the pod
/// directly proves nothing here: every number comes from the monitoring system's own query API.
/// </summary>
[Requirement("ai_service_metrics")]
public sealed class AiServiceMetrics
{
    /// <summary>How long the monitoring system may take to collect a new workload's series, or to show new values.</summary>
    public const string CollectionTimeoutKey = "metrics.collectionTimeout";

    /// <summary>Completions sent to the loaded server: its counter must grow by at least this many.</summary>
    private const int Requests = 30;

    private static readonly TimeSpan QueryInterval = TimeSpan.FromSeconds(1);

    /// <summary>Label pairs that name a target's namespace and pod: the Prometheus Operator's and current Helm charts', then older charts'.</summary>
    private static readonly (string Namespace, string Pod)[] AttributionLabels = [("namespace", "pod"), ("kubernetes_namespace", "kubernetes_pod_name")];

    private static RunContext Run => RunContext.Current;

    public static IEnumerable<TestCaseData> Systems() => MonitoringDetection.Cases.Cases();

    [TestCaseSource(nameof(Systems))]
    [Description("KAR-0061 setup and verification: two model servers made scrapeable the way the monitoring system discovers targets appear in its query API, each series attributed to its own namespace and pod")]
    public async Task ModelServerSeriesAreCollectedAndAttributedToTheirNamespaceAndPod(MonitoringSystem? found)
    {
        var system = Require(found);
        await using var ns = await TestNamespace.CreateAsync("svcmetrics", labels: system.NamespaceLabels);
        await using var servers = await MonitoredModelServers.StartAsync(ns, system);
        var collected = await CollectedAsync(ns, system, servers, "before any traffic");

        Assert.Multiple(() =>
        {
            foreach (var server in new[] { MonitoredModelServers.Loaded, MonitoredModelServers.Idle })
                Assert.That(Of(collected, ns.Name, servers.Pod(server)), Is.Not.Empty,
                    $"a {MonitoredModelServers.Metric} series attributed to {ns.Name}/{servers.Pod(server)} ({server}); {collected.Describe()}");
            Assert.That(collected.Series.Where(series => Attribution(series) is not { } seen || seen.Namespace != ns.Name
                    || (seen.Pod != servers.Pod(MonitoredModelServers.Loaded) && seen.Pod != servers.Pod(MonitoredModelServers.Idle))).Select(series => series.ToString()),
                Is.Empty, $"series of model {servers.Model} attributed to no pod or to another pod than the two serving it (negative control)");
        });
    }

    [TestCaseSource(nameof(Systems))]
    [Description("KAR-0061 traffic generation and verification: after completions sent by a load Job, the loaded server's request counter in the query API has grown by at least the requests answered, and the idle server's has not moved")]
    public async Task RequestCounterGrowsByTheRequestsSentOnlyForTheLoadedPod(MonitoringSystem? found)
    {
        var system = Require(found);
        await using var ns = await TestNamespace.CreateAsync("svcmetrics", labels: system.NamespaceLabels);
        await using var servers = await MonitoredModelServers.StartAsync(ns, system);
        var loadedPod = servers.Pod(MonitoredModelServers.Loaded);
        var idlePod = servers.Pod(MonitoredModelServers.Idle);
        var before = await CollectedAsync(ns, system, servers, "before the load");
        var loadedBefore = Sum(Of(before, ns.Name, loadedPod));
        var idleBefore = Sum(Of(before, ns.Name, idlePod));
        Assert.That(Of(before, ns.Name, loadedPod), Is.Not.Empty, $"the loaded server's counter is collected before the load; {before.Describe()}");

        var load = await LoadJob.PostAsync(ns, "completions", servers.CompletionsUrl, Requests, 4, servers.CompletionRequest);
        Assert.That(load.Status(200), Is.EqualTo(Requests), $"every completion is answered 200 by the model server; {load}");

        var expected = loadedBefore + load.Status(200);
        Evidence.Step($"Query {system.Query} every {QueryInterval.TotalSeconds:0} s until {ns.Name}/{loadedPod} shows at least {expected} requests");
        var (under, grown) = await PrometheusQuery.UntilAsync(Run, system.Query!, servers.Query,
            answer => Sum(Of(answer, ns.Name, loadedPod)) >= expected, CollectionTimeout(ns), QueryInterval);
        Evidence.Block("query answer after the load", under.Describe());
        var rate = await PrometheusQuery.InstantAsync(Run, system.Query!, $"sum by (pod) (increase({servers.Query.Replace("}", "}[5m]", StringComparison.Ordinal)}))");
        Evidence.Block("requests per pod over the last 5 minutes, as the monitoring system computes them", rate.Describe());

        Assert.Multiple(() =>
        {
            Assert.That(grown, Is.True,
                $"{MonitoredModelServers.Metric} of {ns.Name}/{loadedPod} grows from {loadedBefore} by the {load.Status(200)} requests answered " +
                $"within {CollectionTimeout(ns).TotalSeconds:0} s; last answer: {under.Describe()}");
            Assert.That(Of(under, ns.Name, idlePod), Is.Not.Empty, $"the idle server's series is still collected; {under.Describe()}");
            Assert.That(Sum(Of(under, ns.Name, idlePod)), Is.EqualTo(idleBefore),
                $"the idle server {ns.Name}/{idlePod} got no request: its counter must not move (negative control); {under.Describe()}");
        });
    }

    private static MonitoringSystem Require(MonitoringSystem? found)
    {
        var system = MonitoringDetection.Cases.Require(found, "monitoring system", searched => Outcome.NeedsAttestation(
            $"no monitoring system was found (looked for {searched}); name its Prometheus-compatible query API with '{MonitoringDetection.QueryUrlKey}' or " +
            $"'{MonitoringDetection.QueryServiceKey}' (and '{MonitoringDetection.DiscoveryKey}'), or attest how the platform discovers and collects workload metrics"));
        if (system.CannotQuery is { } why) Outcome.NeedsAttestation(why);
        return system;
    }

    /// <summary>Queries until both servers' series are collected (or the deadline passes), and records the query and its answer.</summary>
    private static async Task<QueryAnswer> CollectedAsync(TestNamespace ns, MonitoringSystem system, MonitoredModelServers servers, string when)
    {
        var pods = new[] { MonitoredModelServers.Loaded, MonitoredModelServers.Idle }.Select(servers.Pod).ToList();
        Evidence.Step($"Query {system.Query}: `{servers.Query}` until both model servers' series are collected");
        var (answer, _) = await PrometheusQuery.UntilAsync(Run, system.Query!, servers.Query,
            seen => pods.All(pod => Of(seen, ns.Name, pod).Count > 0), CollectionTimeout(ns), QueryInterval);
        Evidence.Block($"query answer {when}", answer.Describe());
        return answer;
    }

    private static TimeSpan CollectionTimeout(TestNamespace ns) => Run.Configuration.GetDuration(CollectionTimeoutKey, ns.Timeouts.MetricsAppear);

    private static (string Namespace, string Pod)? Attribution(QueriedSeries series) =>
        AttributionLabels.Where(labels => series.Label(labels.Namespace) is not null && series.Label(labels.Pod) is not null)
            .Select(labels => ((string Namespace, string Pod)?)(series.Label(labels.Namespace)!, series.Label(labels.Pod)!)).FirstOrDefault();

    private static IReadOnlyList<QueriedSeries> Of(QueryAnswer answer, string ns, string pod) =>
        [.. answer.Series.Where(series => Attribution(series) is { } seen && seen.Namespace == ns && seen.Pod == pod)];

    private static double Sum(IReadOnlyList<QueriedSeries> series) => series.Sum(s => s.Value);
}
