using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Server;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;
using AiConformance.Workloads.Metrics;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// A custom metrics adapter in the manner of prometheus-adapter: it registers the <c>v1beta2.custom.metrics.k8s.io</c>
/// and <c>v1beta1.custom.metrics.k8s.io</c> APIServices (Available) and answers
/// <c>namespaces/{ns}/pods/{name|*}/{metric}</c> with a MetricValueList whose values it scrapes, for real, from the
/// pods' <c>/metrics</c> over the pod network: the pods Prometheus would scrape (annotation
/// <c>prometheus.io/scrape: "true"</c>, port from <c>prometheus.io/port</c>, path from <c>prometheus.io/path</c>);
/// a pod not yet ready is a target that is down, which has no value yet.
/// Series with several label sets are summed per pod, as the adapter's default <c>sum(...) by (pod)</c> query does.
/// With <c>apis: external</c> it also (or only) registers <c>v1beta1.external.metrics.k8s.io</c> and answers
/// <c>namespaces/{ns}/{metric}</c> with an ExternalMetricValueList of one value: the metric summed over the namespace's
/// pods whose labels match the metricSelector (its external rule's <c>sum(&lt;&lt;.Series&gt;&gt;{&lt;&lt;.LabelMatchers&gt;&gt;})</c>,
/// the pods' labels being on their series as the usual relabelling of annotated pods puts them).
/// </summary>
public sealed class MetricsAdapterBehaviour : IClusterBehaviour
{
    public const string ComponentName = "custom-metrics-adapter";
    public const string Group = "custom.metrics.k8s.io";
    public const string ExternalGroup = "external.metrics.k8s.io";
    public const string ExternalVersion = "v1beta1";
    private static readonly string[] Versions = ["v1beta2", "v1beta1"];

    private SimulatedCluster cluster = null!;
    private MetricsAdapterOptions options = new();
    private readonly PodSandbox scraper = new("custom-metrics-adapter", "monitoring", "prometheus-adapter", "control-plane", "10.96.0.200", hostNetwork: false);

    public string Name => ComponentName;

    public async Task RunAsync(SimulatedCluster simulated, CancellationToken cancellationToken)
    {
        cluster = simulated;
        options = cluster.Options<MetricsAdapterOptions>(ComponentName);
        var served = new List<(string Group, string Version, Func<AggregatedRequest, CancellationToken, Task<AggregatedResponse>> Answer)>();
        if (options.ServesCustom) served.AddRange(Versions.Select(version => (Group, version, (Func<AggregatedRequest, CancellationToken, Task<AggregatedResponse>>)AnswerAsync)));
        if (options.ServesExternal) served.Add((ExternalGroup, ExternalVersion, AnswerExternalAsync));
        foreach (var (group, version, answer) in served)
        {
            MetricsApiService.Register(cluster.Store, group, version, "monitoring", "prometheus-adapter", "prometheus-adapter");
            cluster.AggregatedApis.Register(group, version, answer);
        }
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var (group, version, _) in served) cluster.AggregatedApis.Unregister(group, version);
        }
    }

    private async Task<AggregatedResponse> AnswerAsync(AggregatedRequest request, CancellationToken cancellationToken)
    {
        if (request.Path is not ["namespaces", var ns, "pods", var podName, var metric])
            return request.Path.Count == 0 ? new AggregatedResponse(200, ResourceList(Group, request.Version))
                : NotFound($"the server could not find the requested resource ({string.Join('/', request.Path)})");
        var items = new JsonArray();
        var pods = Targets(ns, LabelSelector.Parse(request.LabelSelector)).Where(pod => podName == "*" || pod.Name() == podName);
        foreach (var pod in pods)
        {
            if (await ValueAsync(pod, metric, cancellationToken) is not { } sample) continue;
            items.Add(Item(request.Version, pod, metric, sample));
        }
        if (items.Count == 0)
            return NotFound($"the server could not find the metric {metric} for pods");
        return new AggregatedResponse(200, new JsonObject
        {
            ["kind"] = "MetricValueList",
            ["apiVersion"] = $"{Group}/{request.Version}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        });
    }

    /// <summary>
    /// An external metric: one value, the metric summed over the scraped pods of the namespace that match the
    /// metricSelector (the request's labelSelector); no series is an empty list, as the adapter answers an empty query.
    /// </summary>
    private async Task<AggregatedResponse> AnswerExternalAsync(AggregatedRequest request, CancellationToken cancellationToken)
    {
        if (request.Path is not ["namespaces", var ns, var metric])
            return request.Path.Count == 0 ? new AggregatedResponse(200, ResourceList(ExternalGroup, request.Version))
                : NotFound($"the server could not find the requested resource ({string.Join('/', request.Path)})");
        var readings = new List<MetricReading>();
        foreach (var pod in Targets(ns, LabelSelector.Parse(request.LabelSelector)))
            if (await ValueAsync(pod, metric, cancellationToken) is { } reading) readings.Add(reading);
        return new AggregatedResponse(200, ExternalMetricValueList(metric, readings.Count == 0 ? null : new MetricReading(readings.Sum(r => r.Value), readings.Max(r => r.At))));
    }

    /// <summary>An ExternalMetricValueList (external.metrics.k8s.io/v1beta1) of one value, or of none.</summary>
    public static JsonObject ExternalMetricValueList(string metric, MetricReading? reading, IReadOnlyDictionary<string, string>? labels = null)
    {
        var items = new JsonArray();
        if (reading is not null)
            items.Add(new JsonObject
            {
                ["metricName"] = metric,
                ["metricLabels"] = new JsonObject((labels ?? new Dictionary<string, string>()).Select(label => KeyValuePair.Create(label.Key, (JsonNode?)label.Value))),
                ["timestamp"] = Timestamp(reading.At),
                ["value"] = Quantity(reading.Value),
            });
        return new JsonObject
        {
            ["kind"] = "ExternalMetricValueList",
            ["apiVersion"] = $"{ExternalGroup}/{ExternalVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    /// <summary>The pods Prometheus scrapes in <paramref name="ns"/> that match <paramref name="selector"/> and are up (ready, not leaving).</summary>
    private IEnumerable<JsonObject> Targets(string ns, LabelSelector selector) =>
        cluster.Store.List(Kinds.Pod, ns, pod => selector.Matches(pod) && pod.IsReady() && !pod.IsDeleting()
            && pod.Metadata()["annotations"]?["prometheus.io/scrape"]?.GetValue<string>() == "true");

    private static string Timestamp(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The pod's current value of <paramref name="metric"/>, with when it was read; null when it does not expose it.</summary>
    private async Task<MetricReading?> ValueAsync(JsonObject pod, string metric, CancellationToken cancellationToken)
    {
        var key = $"{pod.Uid()}/{metric}";
        if (options.Fault?.Remembered(key) is { } frozen) return frozen;
        var annotations = pod.Metadata()["annotations"] as JsonObject ?? [];
        var port = int.TryParse((string?)annotations["prometheus.io/port"], out var p) ? p : 8080;
        var path = (string?)annotations["prometheus.io/path"] ?? "/metrics";
        try
        {
            using var client = new HttpClient(cluster.Network.CreateHttpHandler(scraper)) { Timeout = TimeSpan.FromSeconds(10) };
            var text = await client.GetStringAsync($"http://{pod.PodIp()}:{port}{path}", cancellationToken);
            var samples = Exposition.Parse(text).Samples(metric);
            if (samples.Count == 0) return null;
            var reading = new MetricReading(samples.Sum(sample => sample.Value), DateTime.UtcNow);
            options.Fault?.Remember(key, reading);
            return reading;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or ExpositionFormatException or System.Net.Sockets.SocketException)
        {
            // A pod that is starting, or scaled away since it was listed, may refuse a scrape, and a busy one may be slow
            // (a real adapter then has no value for it); a ready pod that refuses is a fault of the simulation.
            var current = cluster.Store.Get(Kinds.Pod, pod.Namespace(), pod.Name());
            var message = $"scrape of {pod.Namespace()}/{pod.Name()} failed: {e.Message}";
            if (e is not TaskCanceledException && current is not null && current.Uid() == pod.Uid() && !current.IsDeleting() && current.IsReady()) cluster.Log.Warn(ComponentName, message);
            else cluster.Log.Info(ComponentName, message);
            return null;
        }
    }

    private static JsonObject Item(string version, JsonObject pod, string metric, MetricReading reading)
    {
        var item = new JsonObject
        {
            ["describedObject"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = pod.Namespace(), ["name"] = pod.Name(), ["apiVersion"] = "/v1" },
        };
        if (version == "v1beta1") item["metricName"] = metric;
        else item["metric"] = new JsonObject { ["name"] = metric, ["selector"] = null };
        item["timestamp"] = Timestamp(reading.At);
        item["windowSeconds"] = 0;
        item["value"] = Quantity(reading.Value);
        return item;
    }

    /// <summary>A value as a Kubernetes quantity, in milli-units as the adapter writes fractions ("1500m").</summary>
    public static string Quantity(double value)
    {
        var milli = (long)Math.Round(value * 1000);
        return milli % 1000 == 0 ? (milli / 1000).ToString(CultureInfo.InvariantCulture) : $"{milli.ToString(CultureInfo.InvariantCulture)}m";
    }

    public static JsonObject ResourceList(string group, string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = $"{group}/{version}",
        ["resources"] = new JsonArray(),
    };

    public static AggregatedResponse NotFound(string message) => new(404, new JsonObject
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = "NotFound", ["code"] = 404,
    });
}

/// <summary>A metric value as read from a pod, and when.</summary>
public sealed record MetricReading(double Value, DateTime At);
