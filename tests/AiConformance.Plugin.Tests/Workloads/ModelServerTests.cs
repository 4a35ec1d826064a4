using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.Workloads.Metrics;
using AiConformance.Workloads.Serving;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed partial class ModelServerTests
{
    private const string Model = "acme/tiny-llm";

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static string Completion(string prompt, int maxTokens) =>
        new JsonObject { ["model"] = Model, ["prompt"] = prompt, ["max_tokens"] = maxTokens }.ToJsonString();

    [Test]
    public async Task ListsTheConfiguredModel()
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        var body = JsonNode.Parse(await server.Client.GetStringAsync("/v1/models"))!;
        Assert.That((string?)body["data"]![0]!["id"], Is.EqualTo(Model));
        Assert.That(body["data"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task CompletionIsDeterministicWithTokenUsage()
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        var (status, first) = await PostAsync(server.Client, "/v1/completions", Completion("what is a gateway", 5));
        var (_, second) = await PostAsync(server.Client, "/v1/completions", Completion("what is a gateway", 5));
        var (_, other) = await PostAsync(server.Client, "/v1/completions", Completion("schedule the pods", 5));

        var text = (string?)first["choices"]![0]!["text"];
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string?)first["object"], Is.EqualTo("text_completion"));
            Assert.That((string?)first["model"], Is.EqualTo(Model));
            Assert.That(text!.Split(' '), Has.Length.EqualTo(5));
            Assert.That((string?)second["choices"]![0]!["text"], Is.EqualTo(text));
            Assert.That((string?)other["choices"]![0]!["text"], Is.Not.EqualTo(text));
            Assert.That((int?)first["usage"]!["prompt_tokens"], Is.EqualTo(4));
            Assert.That((int?)first["usage"]!["completion_tokens"], Is.EqualTo(5));
            Assert.That((int?)first["usage"]!["total_tokens"], Is.EqualTo(9));
            Assert.That((string?)first["id"], Is.Not.EqualTo((string?)second["id"]));
        });
    }

    [Test]
    public async Task ChatCompletionAnswersAsTheAssistant()
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        var (status, body) = await PostAsync(server.Client, "/v1/chat/completions",
            $$"""{"model":"{{Model}}","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello there"}],"max_completion_tokens":3}""");
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string?)body["object"], Is.EqualTo("chat.completion"));
            Assert.That((string?)body["choices"]![0]!["message"]!["role"], Is.EqualTo("assistant"));
            Assert.That(((string?)body["choices"]![0]!["message"]!["content"])!.Split(' '), Has.Length.EqualTo(3));
            Assert.That((int?)body["usage"]!["prompt_tokens"], Is.EqualTo(4));
            Assert.That((int?)body["usage"]!["completion_tokens"], Is.EqualTo(3));
        });
    }

    [TestCase("/v1/completions", "{not json", "invalid_request_error", null)]
    [TestCase("/v1/completions", "[1,2]", "invalid_request_error", null)]
    [TestCase("/v1/completions", """{"prompt":"x"}""", "invalid_request_error", null)]
    [TestCase("/v1/completions", """{"model":"other/model","prompt":"x"}""", "invalid_request_error", "model_not_found")]
    [TestCase("/v1/completions", """{"model":"acme/tiny-llm"}""", "invalid_request_error", null)]
    [TestCase("/v1/completions", """{"model":"acme/tiny-llm","prompt":"x","max_tokens":0}""", "invalid_request_error", null)]
    [TestCase("/v1/completions", """{"model":"acme/tiny-llm","prompt":"x","stream":true}""", "invalid_request_error", null)]
    [TestCase("/v1/chat/completions", """{"model":"acme/tiny-llm","messages":[]}""", "invalid_request_error", null)]
    [TestCase("/v1/chat/completions", """{"model":"acme/tiny-llm","messages":[{"content":"no role"}]}""", "invalid_request_error", null)]
    public async Task BadRequestsGetAnOpenAiError(string path, string json, string type, string? code)
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        var (status, body) = await PostAsync(server.Client, path, json);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)body["error"]!["type"], Is.EqualTo(type));
            Assert.That((string?)body["error"]!["message"], Is.Not.Empty);
            Assert.That((string?)body["error"]!["code"], Is.EqualTo(code));
        });
    }

    [Test]
    public async Task WrongMethodsAndPathsAreRefused()
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        using var get = await server.Client.GetAsync("/v1/completions");
        using var unknown = await server.Client.GetAsync("/v2/whatever");
        using var health = await server.Client.GetAsync("/health");
        Assert.Multiple(() =>
        {
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task MetricsCountTheRequestsServed()
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        var before = Samples(await server.Client.GetStringAsync("/metrics"));
        await PostAsync(server.Client, "/v1/completions", Completion("one two three", 4));
        await PostAsync(server.Client, "/v1/completions", Completion("four", 2));
        await PostAsync(server.Client, "/v1/chat/completions", $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"a b"}],"max_tokens":6}""");
        await PostAsync(server.Client, "/v1/completions", """{"model":"not-served","prompt":"x"}""");
        var after = Samples(await server.Client.GetStringAsync("/metrics"));

        string Key(string name) => name + "{model_name=\"" + Model + "\"}";
        Assert.Multiple(() =>
        {
            Assert.That(before[Key("vllm:prompt_tokens_total")], Is.Zero);
            Assert.That(after[Key("vllm:prompt_tokens_total")], Is.EqualTo(3 + 1 + 2));
            Assert.That(after[Key("vllm:generation_tokens_total")], Is.EqualTo(4 + 2 + 6));
            Assert.That(after["vllm:request_success_total{finished_reason=\"length\",model_name=\"" + Model + "\"}"], Is.EqualTo(3));
            Assert.That(after[Key("vllm:e2e_request_latency_seconds_count")], Is.EqualTo(3));
            Assert.That(after[Key("vllm:time_to_first_token_seconds_count")], Is.EqualTo(3));
            Assert.That(after[Key("vllm:num_requests_running")], Is.Zero);
            Assert.That(after[Key("vllm:num_requests_waiting")], Is.Zero);
            Assert.That(after, Does.ContainKey(Key("vllm:gpu_cache_usage_perc")));
            Assert.That(after, Does.ContainKey(Key("vllm:kv_cache_usage_perc")));
        });
    }

    [Test]
    public async Task MetricsAreTypedAndHistogramBucketsAreCumulative()
    {
        await using var server = LocalServer.Start(new ModelServer(Model).HandleAsync);
        for (var i = 0; i < 5; i++) await PostAsync(server.Client, "/v1/completions", Completion($"prompt {i}", 3));
        using var response = await server.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(text, Does.Contain("# TYPE vllm:num_requests_running gauge\n"));
        Assert.That(text, Does.Contain("# TYPE vllm:prompt_tokens_total counter\n"));
        Assert.That(text, Does.Contain("# TYPE vllm:generation_tokens_total counter\n"));
        foreach (var histogram in new[] { "vllm:e2e_request_latency_seconds", "vllm:time_to_first_token_seconds" })
        {
            Assert.That(text, Does.Contain($"# TYPE {histogram} histogram\n"));
            var buckets = BucketLine().Matches(text).Where(m => m.Groups["name"].Value == histogram)
                .Select(m => (Bound: m.Groups["le"].Value, Count: double.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture))).ToList();
            Assert.That(buckets, Has.Count.GreaterThan(5), histogram);
            Assert.That(buckets.Select(b => b.Count), Is.Ordered, $"{histogram} buckets must be cumulative");
            Assert.That(buckets[^1].Bound, Is.EqualTo("+Inf"));
            var bounds = buckets.SkipLast(1).Select(b => double.Parse(b.Bound, CultureInfo.InvariantCulture)).ToList();
            Assert.That(bounds, Is.Ordered.And.Unique);
            Assert.That(buckets[^1].Count, Is.EqualTo(Samples(text)[$"{histogram}_count{{model_name=\"{Model}\"}}"]));
            Assert.That(buckets[^1].Count, Is.EqualTo(5));
        }
    }

    [Test]
    public void HistogramCountsEachObservationInItsFirstBucketAndAbove()
    {
        var histogram = new Histogram("h", "test", [0.1, 1.0]);
        histogram.Observe(0.05);
        histogram.Observe(0.1);
        histogram.Observe(0.5);
        histogram.Observe(7);
        var text = new StringBuilder();
        histogram.WriteTo(text, "m=\"x\"");
        Assert.That(text.ToString(), Does.Contain("h_bucket{le=\"0.1\",m=\"x\"} 2\n")
            .And.Contain("h_bucket{le=\"1.0\",m=\"x\"} 3\n")
            .And.Contain("h_bucket{le=\"+Inf\",m=\"x\"} 4\n")
            .And.Contain("h_count{m=\"x\"} 4\n")
            .And.Contain("h_sum{m=\"x\"} 7.65\n"));
    }

    [Test]
    public async Task TimePerTokenKeepsRequestsRunningAndShowsInTheLatencies()
    {
        await using var server = LocalServer.Start(new ModelServer(Model, TimeSpan.FromMilliseconds(100)).HandleAsync);
        string Key(string name) => name + "{model_name=\"" + Model + "\"}";
        var slow = PostAsync(server.Client, "/v1/completions", Completion("take your time", 5));
        // Scrape while the request is being served (it takes 0.5 s), as an autoscaler would.
        var during = Samples(await server.Client.GetStringAsync("/metrics"));
        while (during[Key("vllm:num_requests_running")] == 0 && !slow.IsCompleted)
        {
            await Task.Delay(20);
            during = Samples(await server.Client.GetStringAsync("/metrics"));
        }
        var (status, _) = await slow;
        var after = Samples(await server.Client.GetStringAsync("/metrics"));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(during[Key("vllm:num_requests_running")], Is.EqualTo(1));
            Assert.That(during[Key("vllm:kv_cache_usage_perc")], Is.GreaterThan(0));
            Assert.That(after[Key("vllm:num_requests_running")], Is.Zero);
            Assert.That(after[Key("vllm:time_to_first_token_seconds_sum")], Is.GreaterThanOrEqualTo(0.09), "timers may fire a few ms early");
            Assert.That(after[Key("vllm:e2e_request_latency_seconds_sum")], Is.GreaterThanOrEqualTo(0.45));
        });
    }

    /// <summary>Every series as "name{labels}" -> value.</summary>
    private static Dictionary<string, double> Samples(string text) =>
        Exposition.Parse(text).Families.SelectMany(family => family.Samples).ToDictionary(sample => sample.ToString(), sample => sample.Value);

    [GeneratedRegex("""^(?<name>[^{\s]+)_bucket\{le="(?<le>[^"]+)",[^}]*\} (?<count>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex BucketLine();
}
