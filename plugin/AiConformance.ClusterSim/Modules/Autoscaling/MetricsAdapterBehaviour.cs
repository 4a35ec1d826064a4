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
/// </summary>
public sealed class MetricsAdapterBehaviour : IClusterBehaviour
{
    public const string ComponentName = "custom-metrics-adapter";
    public const string Group = "custom.metrics.k8s.io";
    private static readonly string[] Versions = ["v1beta2", "v1beta1"];
    public static readonly ResourceKind ApiService = new("apiregistration.k8s.io", "v1", "APIService", "apiservices", false);

    private SimulatedCluster cluster = null!;
    private MetricsAdapterOptions options = new();
    private readonly PodSandbox scraper = new("custom-metrics-adapter", "monitoring", "prometheus-adapter", "control-plane", "10.96.0.200", hostNetwork: false);

    public string Name => ComponentName;

    public async Task RunAsync(SimulatedCluster simulated, CancellationToken cancellationToken)
    {
        cluster = simulated;
        options = cluster.Options<MetricsAdapterOptions>(ComponentName);
        foreach (var version in Versions)
        {
            RegisterApiService(version);
            cluster.AggregatedApis.Register(Group, version, AnswerAsync);
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
            foreach (var version in Versions) cluster.AggregatedApis.Unregister(Group, version);
        }
    }

    private void RegisterApiService(string version)
    {
        var name = $"{version}.{Group}";
        if (cluster.Store.Get(ApiService, null, name) is not null) return;
        var created = cluster.Store.Create(ApiService, new JsonObject
        {
            ["apiVersion"] = "apiregistration.k8s.io/v1",
            ["kind"] = "APIService",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "prometheus-adapter" } },
            ["spec"] = new JsonObject
            {
                ["group"] = Group,
                ["version"] = version,
                ["service"] = new JsonObject { ["namespace"] = "monitoring", ["name"] = "prometheus-adapter", ["port"] = 443 },
                ["groupPriorityMinimum"] = 100,
                ["versionPriority"] = 100,
                ["insecureSkipTLSVerify"] = true,
            },
        });
        cluster.Store.Mutate(ApiService, null, created.Name(), service =>
        {
            var status = service.Child("status");
            status["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Available", ["status"] = "True", ["reason"] = "Passed", ["message"] = "all checks passed",
                ["lastTransitionTime"] = Json.Now(),
            });
        }, statusOnly: true);
    }

    private async Task<AggregatedResponse> AnswerAsync(AggregatedRequest request, CancellationToken cancellationToken)
    {
        if (request.Path is not ["namespaces", var ns, "pods", var podName, var metric])
            return request.Path.Count == 0 ? new AggregatedResponse(200, ResourceList(request.Version))
                : NotFound($"the server could not find the requested resource ({string.Join('/', request.Path)})");
        var selector = LabelSelector.Parse(request.LabelSelector);
        var pods = cluster.Store.List(Kinds.Pod, ns, pod => selector.Matches(pod) && (podName == "*" || pod.Name() == podName)
            && pod.IsReady() && !pod.IsDeleting() && pod.Metadata()["annotations"]?["prometheus.io/scrape"]?.GetValue<string>() == "true");
        var items = new JsonArray();
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
        item["timestamp"] = reading.At.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
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

    private static JsonObject ResourceList(string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = $"{Group}/{version}",
        ["resources"] = new JsonArray(),
    };

    private static AggregatedResponse NotFound(string message) => new(404, new JsonObject
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = "NotFound", ["code"] = 404,
    });
}

/// <summary>A metric value as read from a pod, and when.</summary>
public sealed record MetricReading(double Value, DateTime At);
