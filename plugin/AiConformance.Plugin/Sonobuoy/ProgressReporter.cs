using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace AiConformance.Plugin.Sonobuoy;

/// <summary>
/// Posts progress to the Sonobuoy worker at <c>http://localhost:$SONOBUOY_PROGRESS_PORT/progress</c>:
/// <c>completed</c> counts finished tests that did not fail, <c>failures</c> names those that did. An endpoint that is
/// down never fails the run; the run posts off the test thread, so a slow one never holds a test either.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    /// <summary>Generous: posts are off the test thread, and a busy node must not lose updates to a short timeout.</summary>
    private static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient? http;
    private readonly Uri? endpoint;
    private readonly List<string> failures = [];
    private int completed;
    private int total;

    public ProgressReporter(int? port)
    {
        if (port is { } p)
        {
            endpoint = new Uri($"http://localhost:{p}/progress");
            http = new HttpClient { Timeout = PostTimeout };
        }
    }

    /// <summary>The JSON body Sonobuoy's worker reads.</summary>
    public sealed record Update(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("node")] string Node,
        [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
        [property: JsonPropertyName("msg")] string Message,
        [property: JsonPropertyName("total")] long Total,
        [property: JsonPropertyName("completed")] long Completed,
        [property: JsonPropertyName("failures"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Failures);

    public Task StartedAsync(int testCount, string message)
    {
        total = testCount;
        return PostAsync(message);
    }

    public Task TestFinishedAsync(string testName, bool failed, string verdict)
    {
        if (failed)
        {
            failures.Add(testName);
        }
        else
        {
            completed++;
        }
        return PostAsync($"{verdict} {testName}");
    }

    public Task FinishedAsync(string message) => PostAsync(message);

    private async Task PostAsync(string message)
    {
        if (http is null || endpoint is null)
        {
            return;
        }
        var update = new Update(SonobuoyEnvironment.PluginName, "global", DateTimeOffset.UtcNow, message, total, completed,
            failures.Count > 0 ? failures.ToList() : null);
        try
        {
            using var response = await http.PostAsJsonAsync(endpoint, update).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            // Progress is a courtesy to `sonobuoy status`; the results do not depend on it.
        }
    }

    public void Dispose() => http?.Dispose();
}
