using System.Globalization;
using System.Text.Json.Nodes;
using System.Web;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Network;
using AiConformance.Workloads.Metrics;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>
/// The Prometheus server process: every scrape interval it discovers its targets and scrapes each over the pod network
/// from its own pod (as the real one does, so a target it cannot reach is <c>up 0</c>), stores the samples with the
/// target's labels (a scraped label that clashes with a target label is kept as <c>exported_&lt;name&gt;</c>), and answers
/// the HTTP API's <c>/api/v1/query</c> (GET, or POST with a form) on port 9090 in Prometheus's response format, plus
/// <c>/-/ready</c> and <c>/-/healthy</c>. A query it cannot evaluate is a simulation warning and a <c>bad_data</c> error.
/// </summary>
public sealed class PrometheusProgram(PrometheusOptions options, string prometheusName) : IContainerProgram
{
    public const int Port = 9090;

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        var storage = new SeriesStore(TimeSpan.FromHours(1));
        var log = context.Cluster.Log;
        context.Write($"time={DateTime.UtcNow:O} level=INFO source=main.go msg=\"Starting Prometheus Server\" mode=server\n");
        var serving = BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, Port,
            request => Answer(request, storage, message => log.Warn(BehaviourName, message)), cancellationToken);
        var targets = new ScrapeTargets(context.Cluster.Store, options);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await ScrapeAllAsync(context, targets, storage, cancellationToken);
                await Task.Delay(options.ScrapeInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await serving;
        return 0;
    }

    private const string BehaviourName = PrometheusBehaviour.ComponentName;

    private async Task ScrapeAllAsync(ProgramContext context, ScrapeTargets discovery, SeriesStore storage, CancellationToken cancellationToken)
    {
        var targets = discovery.Discover(prometheusName);
        var now = Now();
        foreach (var gone in storage.Targets.Except(targets.Select(target => target.Key))) storage.Forget(gone, now);
        await Task.WhenAll(targets.Select(target => ScrapeAsync(context, target, storage, cancellationToken)));
    }

    /// <summary>One scrape, bounded by the scrape timeout (Prometheus's default: 10 s, at most the interval).</summary>
    private async Task ScrapeAsync(ProgramContext context, ScrapeTarget target, SeriesStore storage, CancellationToken cancellationToken)
    {
        var samples = new List<ScrapedSample>();
        double up;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ScrapeInterval < TimeSpan.FromSeconds(10) ? options.ScrapeInterval : TimeSpan.FromSeconds(10));
        try
        {
            var answer = await BareHttp.GetAsync(context.Cluster.Network, context.Sandbox, target.Address, target.Port, target.Path, timeout.Token);
            if (answer.Status != 200) throw new IOException($"server returned HTTP status {answer.Status}");
            samples.AddRange(Exposition.Parse(answer.Body).Families.SelectMany(family => family.Samples).Select(sample => WithTargetLabels(target, sample)));
            up = 1;
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or ExpositionFormatException or System.Net.Sockets.SocketException
                                      && !cancellationToken.IsCancellationRequested)
        {
            up = 0;
        }
        var stored = options.Fault?.Store(target.Key, samples) ?? samples;
        storage.Append(target.Key, Now(), [.. stored, new ScrapedSample(new Dictionary<string, string>(target.Labels) { ["__name__"] = "up" }, up)]);
    }

    private static ScrapedSample WithTargetLabels(ScrapeTarget target, MetricSample sample)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in sample.Labels) labels[target.Labels.ContainsKey(name) ? $"exported_{name}" : name] = value;
        foreach (var (name, value) in target.Labels) labels[name] = value;
        labels["__name__"] = sample.Name;
        return new ScrapedSample(labels, sample.Value);
    }

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static BareHttp.Response Answer(BareHttp.Request request, SeriesStore storage, Action<string> warn)
    {
        if (request.Path is "/-/ready" or "/-/healthy")
            return new BareHttp.Response(200, "text/plain; charset=utf-8", request.Path == "/-/ready" ? "Prometheus Server is Ready.\n" : "Prometheus Server is Healthy.\n");
        if (request.Path != "/api/v1/query") return BareHttp.Response.NotFound;
        var parameters = HttpUtility.ParseQueryString(request.Query);
        if (request.Method == "POST") parameters.Add(HttpUtility.ParseQueryString(request.Body));
        var query = parameters["query"];
        if (string.IsNullOrEmpty(query)) return Error("invalid parameter \"query\": unknown expression type \"<nil>\"");
        var time = parameters["time"] is { } given && double.TryParse(given, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : Now();
        try
        {
            var result = new JsonArray();
            foreach (var element in PromQl.Evaluate(query, storage, time))
                result.Add(new JsonObject
                {
                    ["metric"] = new JsonObject(element.Labels.OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => KeyValuePair.Create(label.Key, (JsonNode?)label.Value))),
                    ["value"] = new JsonArray(Math.Round(time, 3), Format(element.Value)),
                });
            return Json(200, new JsonObject
            {
                ["status"] = "success",
                ["data"] = new JsonObject { ["resultType"] = "vector", ["result"] = result },
            });
        }
        catch (QueryNotModelledException problem)
        {
            warn($"query '{query}' cannot be evaluated by the simulated Prometheus: {problem.Message}");
            return Error(problem.Message);
        }
    }

    /// <summary>Prometheus's answer to a query it cannot parse: 400 with <c>errorType</c> <c>bad_data</c>.</summary>
    private static BareHttp.Response Error(string message) =>
        Json(400, new JsonObject { ["status"] = "error", ["errorType"] = "bad_data", ["error"] = message });

    private static BareHttp.Response Json(int status, JsonObject body) => new(status, "application/json", body.ToJsonString());

    /// <summary>
    /// Sample values as Prometheus writes them (Go's shortest round-trip: fixed notation, exponent notation below 1e-6
    /// and from 1e21), <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.
    /// </summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "+Inf" : "-Inf";
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var (mantissa, exponent) = shortest.Split('E') is [var m, var e] ? (m, int.Parse(e, CultureInfo.InvariantCulture)) : (shortest, 0);
        var abs = Math.Abs(value);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            // Go normalizes to one digit before the point, as .NET's round-trip format does; only the exponent is written differently.
            return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        if (exponent == 0) return mantissa;
        var negative = mantissa.StartsWith('-');
        var unsigned = negative ? mantissa[1..] : mantissa;
        var point = unsigned.IndexOf('.') is var at && at >= 0 ? at : unsigned.Length;
        var digits = unsigned.Replace(".", "", StringComparison.Ordinal);
        var position = point + exponent;
        var fixedText = position <= 0 ? "0." + new string('0', -position) + digits
            : position >= digits.Length ? digits + new string('0', position - digits.Length)
            : $"{digits[..position]}.{digits[position..]}";
        return negative ? "-" + fixedText : fixedText;
    }
}
