using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Network;
using AiConformance.Workloads.Metrics;

namespace AiConformance.ClusterSim.Modules.Autoscaling.Keda;

/// <summary>
/// KEDA's <c>metrics-api</c> scaler: GETs <c>url</c> over the pod network (or, with
/// <c>aggregateFromKubeServiceEndpoints</c>, the same path on every endpoint of the Service the URL names, aggregated by
/// <c>aggregationType</c>: sum, average (default), max or min) and reads the value at <c>valueLocation</c>. Only the
/// <c>prometheus</c> format is modelled: the location is a metric selector (<c>name{label="value"}</c>) and the value
/// is the first matching series'. Its HPA metric is <c>s{index}-metric-api-{valueLocation}</c>, normalised as KEDA does.
/// </summary>
public sealed partial class MetricsApiTrigger(JsonObject trigger, int index)
{
    public const string Type = "metrics-api";

    private JsonNode? Metadata => trigger["metadata"];

    private string Get(string key) => (string?)Metadata?[key] ?? "";

    public string MetricName => $"s{index}-{Normalize($"metric-api-{Get("valueLocation")}")}";

    public double Target => double.TryParse(Get("targetValue"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public double Activation => double.TryParse(Get("activationTargetValue"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>The HPA metric type KEDA writes: the trigger's <c>metricType</c>, AverageValue by default.</summary>
    public string MetricType => (string?)trigger["metricType"] ?? "AverageValue";

    /// <summary>KEDA's metric names keep letters, digits, '-' and '_'; anything else becomes '-'.</summary>
    public static string Normalize(string text) => NotAllowed().Replace(text, "-");

    /// <summary>Why the trigger cannot be served by this simulation; null when it can.</summary>
    public string? Unsupported() => Get("format") is "prometheus" ? null
        : $"metrics-api format '{(Get("format") is { Length: > 0 } format ? format : "json")}' is not modelled (only prometheus)";

    /// <summary>The trigger's current value; throws <see cref="IOException"/> (as the scaler errors) when none can be read.</summary>
    public async Task<double> ValueAsync(SimulatedCluster cluster, PodSandbox from, CancellationToken cancellationToken)
    {
        var url = new Uri(Get("url"));
        if (Get("aggregateFromKubeServiceEndpoints") != "true")
            return ValueIn(await GetAsync(cluster, from, url.Host, url.Port, url.PathAndQuery, cancellationToken));
        var host = url.Host.Split('.');
        if (host.Length < 2) throw new IOException($"invalid hostname {url.Host} : expected at least 2 elements, first being service name and second being the namespace");
        var addresses = cluster.Store.List(Kinds.EndpointSlice, host[1], slice => slice.Label("kubernetes.io/service-name") == host[0])
            .SelectMany(slice => (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(endpoint => endpoint["nodeName"] is not null)
            .SelectMany(endpoint => (endpoint["addresses"] as JsonArray ?? []).Select(address => (string?)address).OfType<string>()).ToList();
        if (addresses.Count == 0) throw new IOException("no endpoints URLs were given for the service name");
        var values = new List<double>();
        foreach (var address in addresses)
        {
            try
            {
                values.Add(ValueIn(await GetAsync(cluster, from, address, url.Port, url.PathAndQuery, cancellationToken)));
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ExpositionFormatException)
            {
                // KEDA leaves an endpoint that fails out of the aggregation.
            }
        }
        if (values.Count == 0) throw new IOException($"could not get any metric successfully from the {addresses.Count} provided endpoints");
        return Get("aggregationType") switch
        {
            "sum" => values.Sum(),
            "max" => values.Max(),
            "min" => values.Min(),
            _ => values.Average(),
        };
    }

    private static async Task<string> GetAsync(SimulatedCluster cluster, PodSandbox from, string host, int port, string path, CancellationToken cancellationToken)
    {
        var answer = await BareHttp.GetAsync(cluster.Network, from, host, port, path, cancellationToken);
        return answer.Status == 200 ? answer.Body : throw new IOException($"{path}: api returned {answer.Status}");
    }

    /// <summary>The value of the first series matching <c>valueLocation</c> (<c>name</c> or <c>name{label="value",...}</c>).</summary>
    private double ValueIn(string body)
    {
        var location = Selector().Match(Get("valueLocation"));
        var name = location.Groups["name"].Value;
        var wanted = Matcher().Matches(location.Groups["labels"].Value).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        var match = Exposition.Parse(body).Samples(name).FirstOrDefault(sample => wanted.All(label => sample.Label(label.Item1) == label.Item2));
        return match?.Value ?? throw new IOException($"value {Get("valueLocation")} not found");
    }

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex NotAllowed();

    [GeneratedRegex(@"^(?<name>[^{\s]+)\s*(\{(?<labels>[^}]*)\})?$")]
    private static partial Regex Selector();

    [GeneratedRegex("([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*\"([^\"]*)\"")]
    private static partial Regex Matcher();
}
