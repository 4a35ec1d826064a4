using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiConformance.Workloads.Serving;

/// <summary>
/// What <c>aiconformance load</c> sends: requests to one URL (GET by default, or a method with a body), bounded by count
/// and optionally by time, over kept-alive connections unless each request is to open its own.
/// </summary>
public sealed record LoadPlan(Uri Url, int Requests, int Concurrency = 1, TimeSpan? Duration = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public HttpMethod Method { get; init; } = HttpMethod.Get;

    public string? Body { get; init; }

    public bool NewConnectionPerRequest { get; init; }
}

/// <summary>
/// A bounded load generator: sends the plan's requests with the given concurrency and summarises the outcome as one
/// JSON document (counts, status codes, latency percentiles, for serve-echo responses how many each pod and backend
/// answered, and for disaggregated serve-model responses how many each pair of prefill and decode pods served) — what an autoscaling or traffic-split fixture reads from the pod's log.
/// </summary>
public static class LoadGenerator
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <param name="progress">Where the summary so far can be read while the load runs (<c>load --summary-port</c>).</param>
    public static async Task<JsonObject> RunAsync(LoadPlan plan, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default,
        LoadProgress? progress = null)
    {
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = RequestTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (plan.Duration is { } duration) deadline.CancelAfter(duration);

        progress ??= new LoadProgress(plan);
        var tally = progress.Tally;
        var next = 0;
        async Task WorkerAsync()
        {
            while (!deadline.IsCancellationRequested && Interlocked.Increment(ref next) is var number && number <= plan.Requests)
            {
                tally.Started(number);
                try
                {
                    await SendOneAsync(client, plan, tally, deadline.Token).ConfigureAwait(false);
                }
                finally
                {
                    tally.Concluded(number);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(plan.Concurrency, plan.Requests)).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)))
            .ConfigureAwait(false);
        return progress.Summary();
    }

    private static async Task SendOneAsync(HttpClient client, LoadPlan plan, Tally tally, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(plan.Method, plan.Url);
        if (plan.Body is not null) request.Content = new StringContent(plan.Body, System.Text.Encoding.UTF8, "application/json");
        foreach (var (name, value) in plan.Headers ?? new Dictionary<string, string>())
        {
            // Content-Type and its kind belong to the body; the others to the request.
            if (request.Content is not null && name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (plan.NewConnectionPerRequest) request.Headers.ConnectionClose = true;
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var phases = response.Headers.TryGetValues(Disaggregation.PhasesHeader, out var values) ? values.FirstOrDefault() : null;
            tally.Response((int)response.StatusCode, clock.Elapsed, body, phases);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The duration ran out while this request was in flight: it was sent, but has no outcome.
            tally.Unanswered();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            tally.Failure(e is OperationCanceledException ? "timeout" : "connection", e.Message);
        }
    }

    internal sealed class Tally
    {
        private readonly Lock gate = new();
        private readonly List<double> latenciesMs = [];
        private readonly SortedDictionary<string, int> statuses = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, int> pods = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, int> backends = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, int> phases = new(StringComparer.Ordinal);
        private readonly SortedSet<int> inFlight = [];
        private int started;
        private int sent;
        private int ok;
        private int errors;

        /// <summary>The first few different answers that were not a success, so that a failure says why.</summary>
        private readonly List<string> errorSamples = [];
        private const int MostErrorSamples = 3;

        /// <summary>Request <paramref name="number"/> (they are numbered from 1 in the order they start) is on its way.</summary>
        public void Started(int number)
        {
            lock (gate)
            {
                started++;
                inFlight.Add(number);
            }
        }

        /// <summary>Request <paramref name="number"/> has its outcome (or has none: it was cut off).</summary>
        public void Concluded(int number)
        {
            lock (gate) inFlight.Remove(number);
        }

        public void Response(int status, TimeSpan latency, string body, string? phases = null)
        {
            var (pod, backend) = EchoAttribution(body);
            lock (gate)
            {
                sent++;
                latenciesMs.Add(latency.TotalMilliseconds);
                if (status is >= 200 and < 300) ok++;
                else
                {
                    errors++;
                    Sample($"{status.ToString(CultureInfo.InvariantCulture)}: {body}");
                }
                Count(statuses, status.ToString(CultureInfo.InvariantCulture));
                if (pod is not null) Count(pods, pod);
                if (backend is not null) Count(backends, backend);
                if (phases is not null) Count(this.phases, phases);
            }
        }

        public void Failure(string kind, string? reason = null)
        {
            lock (gate)
            {
                sent++;
                errors++;
                Count(statuses, kind);
                if (reason is not null) Sample($"{kind}: {reason}");
            }
        }

        private void Sample(string answer)
        {
            var line = answer.ReplaceLineEndings(" ").Trim();
            if (line.Length > 240) line = line[..240] + "...";
            if (errorSamples.Count < MostErrorSamples && !errorSamples.Contains(line)) errorSamples.Add(line);
        }

        public void Unanswered()
        {
            lock (gate) sent++;
        }

        public JsonObject Summary(LoadPlan plan, TimeSpan elapsed)
        {
            lock (gate)
            {
                var sorted = latenciesMs.Order().ToArray();
                return new JsonObject
                {
                    ["url"] = plan.Url.ToString(),
                    ["method"] = plan.Method.Method,
                    ["requested"] = plan.Requests,
                    ["concurrency"] = plan.Concurrency,
                    ["started"] = started,
                    // Every request numbered below this one has its outcome in this summary; null when none is in flight.
                    ["oldestInFlight"] = inFlight.Count == 0 ? null : inFlight.Min,
                    ["sent"] = sent,
                    ["ok"] = ok,
                    ["errors"] = errors,
                    ["durationSeconds"] = Math.Round(elapsed.TotalSeconds, 3),
                    ["statusCounts"] = ToJson(statuses),
                    ["latencyMs"] = new JsonObject
                    {
                        ["p50"] = Percentile(sorted, 0.50),
                        ["p90"] = Percentile(sorted, 0.90),
                        ["p99"] = Percentile(sorted, 0.99),
                        ["max"] = sorted.Length == 0 ? null : Math.Round(sorted[^1], 3),
                    },
                    ["pods"] = ToJson(pods),
                    ["backends"] = ToJson(backends),
                    ["phases"] = ToJson(phases),
                    ["errorSamples"] = new JsonArray([.. errorSamples.Select(sample => (JsonNode?)sample)]),
                };
            }
        }

        private static void Count(SortedDictionary<string, int> counts, string key) =>
            counts[key] = counts.GetValueOrDefault(key) + 1;

        private static JsonObject ToJson(SortedDictionary<string, int> counts) =>
            new(counts.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value)));

        /// <summary>Nearest-rank percentile; null when nothing was answered.</summary>
        private static double? Percentile(double[] sorted, double fraction) =>
            sorted.Length == 0 ? null : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Length) - 1)], 3);

        /// <summary>The pod and backend of a serve-echo answer; nulls for any other body.</summary>
        private static (string? Pod, string? Backend) EchoAttribution(string body)
        {
            if (!body.StartsWith('{')) return (null, null);
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value)
                    && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                return (Text("pod"), Text("backend"));
            }
            catch (JsonException)
            {
                return (null, null);
            }
        }
    }
}

/// <summary>The outcome of a load so far: what its summary would say if it ended now.</summary>
public sealed class LoadProgress(LoadPlan plan)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    internal LoadGenerator.Tally Tally { get; } = new();

    public JsonObject Summary() => Tally.Summary(plan, clock.Elapsed);
}
