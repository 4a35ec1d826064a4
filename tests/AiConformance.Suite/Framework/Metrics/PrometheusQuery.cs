using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Autorest;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>One series of an instant query's answer: its labels and value.</summary>
public sealed record QueriedSeries(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.GetValueOrDefault(name);

    public override string ToString() => $"{{{string.Join(", ", Labels.Select(label => $"{label.Key}=\"{label.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>An instant query and what the monitoring system answered: the series, or why there are none.</summary>
public sealed record QueryAnswer(string Query, IReadOnlyList<QueriedSeries> Series, string? Error)
{
    public string Describe() => Error is not null ? $"`{Query}` -> error: {Error}"
        : $"`{Query}` -> {(Series.Count == 0 ? "no series" : string.Join("; ", Series))}";
}

/// <summary>
/// PromQL instant queries (<c>GET /api/v1/query</c>) against a Prometheus-compatible API, through the API server's
/// service proxy (<c>services/NAME:PORT/proxy/api/v1/query</c>, as <c>kubectl get --raw</c> would) or at a URL, read in the
/// API's response format (<c>status</c>, <c>data.resultType</c>, <c>data.result[].metric</c> and <c>value</c>).
/// </summary>
public static class PrometheusQuery
{
    private static readonly HttpClient Direct = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<QueryAnswer> InstantAsync(RunContext run, QueryEndpoint endpoint, string query)
    {
        var path = $"api/v1/query?query={Uri.EscapeDataString(query)}";
        string body;
        try
        {
            if (endpoint.Url is { } url)
            {
                using var response = await Direct.GetAsync(new Uri(url, path), run.Cancellation);
                body = await response.Content.ReadAsStringAsync(run.Cancellation);
            }
            else
            {
                await using var stream = await run.Kubernetes.CoreV1.ConnectGetNamespacedServiceProxyWithPathAsync(
                    $"{endpoint.Service}:{endpoint.Port}", endpoint.Namespace, path, cancellationToken: run.Cancellation);
                using var reader = new StreamReader(stream);
                body = await reader.ReadToEndAsync(run.Cancellation);
            }
        }
        catch (HttpOperationException error)
        {
            // The proxy passes the monitoring system's error answer (400 bad_data, 422 execution) or says why it could not reach it.
            body = error.Response.Content ?? "";
            if (!body.TrimStart().StartsWith('{')) return new QueryAnswer(query, [], $"HTTP {(int)error.Response.StatusCode}: {Shortened(body)}");
        }
        catch (Exception error) when (TransientErrors.IsDroppedRead(error) || error is HttpRequestException or IOException)
        {
            return new QueryAnswer(query, [], $"{error.GetType().Name}: {error.Message}");
        }
        return Parse(query, body);
    }

    public static QueryAnswer Parse(string query, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.GetProperty("status").GetString() != "success")
                return new QueryAnswer(query, [], $"{root.GetProperty("errorType").GetString()}: {root.GetProperty("error").GetString()}");
            var data = root.GetProperty("data");
            if (data.GetProperty("resultType").GetString() != "vector")
                return new QueryAnswer(query, [], $"result type {data.GetProperty("resultType").GetString()}, expected vector");
            return new QueryAnswer(query, [.. data.GetProperty("result").EnumerateArray().Select(item => new QueriedSeries(
                item.GetProperty("metric").EnumerateObject().ToDictionary(label => label.Name, label => label.Value.GetString() ?? ""),
                double.Parse(item.GetProperty("value")[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)))], null);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            return new QueryAnswer(query, [], $"not a Prometheus API answer ({error.Message}): {Shortened(body)}");
        }
    }

    /// <summary>
    /// Queries every <paramref name="interval"/> until <paramref name="satisfied"/> holds or <paramref name="within"/> passes
    /// (a query result cannot be watched); returns the last answer and whether it satisfied.
    /// </summary>
    public static Task<(QueryAnswer Last, bool Satisfied)> UntilAsync(RunContext run, QueryEndpoint endpoint, string query,
        Func<QueryAnswer, bool> satisfied, TimeSpan within, TimeSpan interval) =>
        Poll.UntilAsync(() => InstantAsync(run, endpoint, query), answer => answer.Error is null && satisfied(answer), within, interval,
            run.Cancellation);

    private static string Shortened(string text) => text.Length > 300 ? text[..300] + "…" : text.Trim();
}
