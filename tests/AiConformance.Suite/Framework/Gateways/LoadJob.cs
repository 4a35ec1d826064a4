using System.Text.Json;
using AiConformance.Workloads;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>What one run of the <c>load</c> role reported: requests sent, answers by status, serve-echo answers by backend.</summary>
public sealed record LoadSummary(int Sent, int Ok, IReadOnlyDictionary<string, int> Statuses, IReadOnlyDictionary<string, int> Backends,
    IReadOnlyDictionary<string, int> Pods)
{
    /// <summary>Requests started so far (numbered from 1 in that order).</summary>
    public int Started { get; init; }

    /// <summary>The number of the oldest request still in flight (every older one has its outcome here); null when none is.</summary>
    public int? OldestInFlight { get; init; }

    /// <summary>Whether the requests numbered up to <paramref name="request"/> were all sent and have their outcomes in this summary.</summary>
    public bool Concludes(int request) => Started >= request && (OldestInFlight is not { } oldest || oldest > request);

    public int Status(int code) => Statuses.GetValueOrDefault(code.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public int Backend(string name) => Backends.GetValueOrDefault(name);

    public int Pod(string name) => Pods.GetValueOrDefault(name);

    /// <summary>Disaggregated answers by the pods that did each phase (<c>prefill=P; decode=D</c>).</summary>
    public IReadOnlyDictionary<string, int> Phases { get; init; } = new Dictionary<string, int>();

    /// <summary>Answers with a 5xx status.</summary>
    public int ServerErrors => Statuses.Where(s => s.Key.Length == 3 && s.Key[0] == '5').Sum(s => s.Value);

    /// <summary>The first few different answers that were not a success (status or failure, then the body or reason).</summary>
    public IReadOnlyList<string> ErrorSamples { get; init; } = [];

    public override string ToString() =>
        $"sent {Sent}, statuses {{{string.Join(", ", Statuses.Select(s => $"{s.Key}: {s.Value}"))}}}, " +
        $"backends {{{string.Join(", ", Backends.Select(b => $"{b.Key}: {b.Value}"))}}}" +
        (Phases.Count == 0 ? "" : $", phases {{{string.Join(", ", Phases.Select(p => $"{p.Key}: {p.Value}"))}}}") +
        (ErrorSamples.Count == 0 ? "" : $", errors [{string.Join("; ", ErrorSamples)}]");

    public static LoadSummary Parse(string log)
    {
        var line = log.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'))
                   ?? throw new FormatException("no JSON summary in the log");
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return new LoadSummary(root.GetProperty("sent").GetInt32(), root.GetProperty("ok").GetInt32(), Counts(root, "statusCounts"), Counts(root, "backends"),
            Counts(root, "pods"))
        {
            Phases = Counts(root, "phases"),
            Started = root.TryGetProperty("started", out var started) && started.ValueKind == JsonValueKind.Number ? started.GetInt32() : 0,
            OldestInFlight = root.TryGetProperty("oldestInFlight", out var oldest) && oldest.ValueKind == JsonValueKind.Number ? oldest.GetInt32() : null,
            ErrorSamples = root.TryGetProperty("errorSamples", out var samples) && samples.ValueKind == JsonValueKind.Array
                ? [.. samples.EnumerateArray().Select(sample => sample.GetString() ?? "")]
                : [],
        };
    }

    private static Dictionary<string, int> Counts(JsonElement root, string name) =>
        root.TryGetProperty(name, out var counts) && counts.ValueKind == JsonValueKind.Object
            ? counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())
            : [];
}

/// <summary>
/// Traffic from inside the cluster: a Job running the plugin image's <c>load</c> role against a URL (a new
/// connection per request, so that no connection reuse hides how a gateway spreads requests), then its summary.
/// </summary>
public static class LoadJob
{
    public static Task<LoadSummary> RunAsync(TestNamespace ns, string name, string url, int requests, params string[] headers) =>
        RunAsync(ns, name, Arguments(url, requests, 4, null, headers));

    /// <summary>POSTs of a JSON <paramref name="body"/> (an OpenAI request), <paramref name="concurrency"/> at a time.</summary>
    public static Task<LoadSummary> PostAsync(TestNamespace ns, string name, string url, int requests, int concurrency, string body) =>
        RunAsync(ns, name, Arguments(url, requests, concurrency, body, []));

    /// <summary>Starts the POSTs in a Job without waiting for it (load kept up in the background; the namespace's deletion ends it).</summary>
    public static Task StartAsync(TestNamespace ns, string name, string url, int requests, int concurrency, string body) =>
        StartAsync(ns, name, Arguments(url, requests, concurrency, body, []));

    /// <summary>Starts a Job running <c>load</c> with these arguments, without waiting for it.</summary>
    public static async Task StartAsync(TestNamespace ns, string name, IReadOnlyList<string> arguments)
    {
        Evidence.Step($"Start Job {name}: `load {string.Join(' ', arguments)}`");
        await ns.CreateAsync(RoleWorkloads.Job(name, RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.Load, [.. arguments], restartPolicy: "Never")));
    }

    private static string[] Arguments(string url, int requests, int concurrency, string? body, string[] headers) =>
    [
        "--url", url, "--requests", RoleWorkloads.Number(requests), "--concurrency", RoleWorkloads.Number(concurrency), "--disable-keepalive",
        .. body is null ? [] : new[] { "--method", "POST", "--body", body },
        .. headers.SelectMany(header => new[] { "--header", header }),
    ];

    private static async Task<LoadSummary> RunAsync(TestNamespace ns, string name, string[] arguments)
    {
        await StartAsync(ns, name, arguments);
        return await FinishedAsync(ns, name);
    }

    /// <summary>The port on which a load started by <see cref="StartUntilEndedAsync"/> answers <c>GET /summary</c>.</summary>
    public const int SummaryPort = 8089;

    /// <summary>
    /// Starts a load that a test ends when it has seen what it needs, rather than one that must outlast steps whose
    /// duration nobody knows: it answers its summary so far on <see cref="SummaryPort"/> (<see cref="SummaryNowAsync"/>)
    /// and stops at its <c>--duration</c>, a cap, or when the test deletes its Job (<see cref="EndAsync"/>).
    /// </summary>
    public static Task StartUntilEndedAsync(TestNamespace ns, string name, IReadOnlyList<string> arguments) =>
        StartAsync(ns, name, [.. arguments, "--summary-port", RoleWorkloads.Number(SummaryPort)]);

    /// <summary>
    /// What a load started by <see cref="StartUntilEndedAsync"/> has seen so far, read from the running pod through the
    /// API server's pod proxy, and whether it is still running; a load that has ended gives the summary of its log.
    /// </summary>
    public static async Task<(LoadSummary Summary, bool Running)> SummaryNowAsync(TestNamespace ns, string name)
    {
        var resumed = new ResumedStreams($"reading the summary of the load {name}");
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (pods, _) = await ns.Objects<V1Pod>().ListAsync($"batch.kubernetes.io/job-name={name}", null, ns.Cancellation);
                if (pods.FirstOrDefault(PodWaits.IsRunning) is not { } running) return (await FinishedAsync(ns, name), false);
                try
                {
                    await using var body = await ns.Kubernetes.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(
                        $"{running.Metadata.Name}:{RoleWorkloads.Number(SummaryPort)}", ns.Name, "summary", cancellationToken: ns.Cancellation);
                    using var reader = new StreamReader(body);
                    var summary = LoadSummary.Parse(await reader.ReadToEndAsync(ns.Cancellation));
                    Evidence.Observed($"load {name} so far", summary);
                    return (summary, true);
                }
                // The pod may have ended between the list and the request (the API server then answers 503): list again.
                catch (Exception error) when ((TransientErrors.IsDroppedRead(error) || error is HttpOperationException) && attempt < 10)
                {
                    // A load whose pod just started may not listen yet: give it a moment rather than spending the attempts at once.
                    resumed.Add(error);
                    await Task.Delay(TimeSpan.FromSeconds(1), ns.Cancellation);
                }
            }
        }
        finally
        {
            resumed.WriteEvidence();
        }
    }

    /// <summary>
    /// The summary of a load once its requests numbered up to <paramref name="request"/> were sent and have their
    /// outcomes (each ends within the load's own timeout, so this comes while the load runs), or its final summary if it
    /// ended first. The load's endpoint cannot be watched, so it is read on an interval.
    /// </summary>
    public static async Task<LoadSummary> SummaryConcludingAsync(TestNamespace ns, string name, int request)
    {
        var ((summary, _), concluded) = await Poll.UntilAsync(() => SummaryNowAsync(ns, name),
            now => !now.Running || now.Summary.Concludes(request), ns.Timeouts.PodCompleted, TimeSpan.FromMilliseconds(200), ns.Cancellation);
        if (!concluded)
            Assert.Fail($"the load {name} has not concluded its first {request} requests in {ns.Timeouts.PodCompleted.TotalSeconds:0} s " +
                        $"(oldest in flight: {summary.OldestInFlight}): the load itself is stuck; {summary}");
        return summary;
    }

    /// <summary>Ends a load by deleting its Job (and, in the background, its pod).</summary>
    public static Task EndAsync(TestNamespace ns, string name) => ns.Objects<V1Job>().DeleteAsync(name, ns.Cancellation);

    /// <summary>Waits for the load Job <paramref name="name"/> to end and returns its summary.</summary>
    public static async Task<LoadSummary> FinishedAsync(TestNamespace ns, string name)
    {
        var pods = await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: $"batch.kubernetes.io/job-name={name}"))
            .Until($"the pod of Job {name} to finish", seen => seen.Any(PodWaits.HasEnded))
            .DescribedBy(PodWaits.Describe)
            .Within(ns.Timeouts.PodCompleted)
            .Async(ns.Cancellation);
        var pod = pods.First(PodWaits.HasEnded).Metadata.Name;
        var log = await ReadLogAsync(ns, pod);
        try
        {
            var summary = LoadSummary.Parse(log);
            Evidence.Observed($"load {name}", summary);
            return summary;
        }
        catch (Exception error) when (error is FormatException or JsonException or KeyNotFoundException)
        {
            Assert.Fail($"the load Job {name} printed no summary ({error.Message}); its log: '{(log.Length > 500 ? log[..500] + "…" : log)}'");
            throw;
        }
    }

    private static async Task<string> ReadLogAsync(TestNamespace ns, string pod)
    {
        var resumed = new ResumedStreams($"reading the log of {pod}");
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var stream = await ns.Kubernetes.CoreV1.ReadNamespacedPodLogAsync(pod, ns.Name, cancellationToken: ns.Cancellation);
                    using var reader = new StreamReader(stream);
                    return await reader.ReadToEndAsync(ns.Cancellation);
                }
                catch (Exception error) when (TransientErrors.IsDroppedRead(error) && attempt < 10)
                {
                    resumed.Add(error);
                }
            }
        }
        finally
        {
            resumed.WriteEvidence();
        }
    }
}
