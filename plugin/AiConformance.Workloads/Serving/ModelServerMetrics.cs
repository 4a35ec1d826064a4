using System.Text;

namespace AiConformance.Workloads.Serving;

/// <summary>
/// What <c>serve-model</c> exposes on /metrics, under the metric names vLLM uses (labelled <c>model_name</c>), so that
/// autoscaling and observability fixtures can read the simulator as they would read a real inference server.
/// The counters count the requests actually served.
/// </summary>
public sealed class ModelServerMetrics(string modelName)
{
    /// <summary>KV-cache share one running request is taken to hold: the usage gauges follow the load.</summary>
    private const double CacheShareOfOneRequest = 0.05;

    private static readonly double[] LatencyBounds = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
    private static readonly double[] FirstTokenBounds = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    private readonly Histogram endToEnd = new("vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", LatencyBounds);
    private readonly Histogram firstToken = new("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", FirstTokenBounds);
    private long running;
    private long promptTokens;
    private long generationTokens;
    private long succeeded;

    public long Running => Interlocked.Read(ref running);
    public long PromptTokens => Interlocked.Read(ref promptTokens);
    public long GenerationTokens => Interlocked.Read(ref generationTokens);
    public long Succeeded => Interlocked.Read(ref succeeded);

    public void RequestStarted() => Interlocked.Increment(ref running);

    public void RequestFinished(int prompt, int generated, TimeSpan firstTokenAfter, TimeSpan total)
    {
        Interlocked.Add(ref promptTokens, prompt);
        Interlocked.Add(ref generationTokens, generated);
        Interlocked.Increment(ref succeeded);
        firstToken.Observe(firstTokenAfter.TotalSeconds);
        endToEnd.Observe(total.TotalSeconds);
    }

    public void RequestEnded() => Interlocked.Decrement(ref running);

    public string Render()
    {
        var text = new StringBuilder();
        var model = PrometheusText.Label("model_name", modelName);
        var cacheUsage = Math.Min(1.0, Running * CacheShareOfOneRequest);
        PrometheusText.Sample(text, "vllm:num_requests_running", "gauge", "Number of requests currently running on GPU.", model, Running);
        // The simulator has no queue: every request runs as soon as it arrives.
        PrometheusText.Sample(text, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", model, 0);
        PrometheusText.Sample(text, "vllm:gpu_cache_usage_perc", "gauge", "GPU KV-cache usage. 1 means 100 percent usage.", model, cacheUsage);
        PrometheusText.Sample(text, "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", model, cacheUsage);
        PrometheusText.Sample(text, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", model, PromptTokens);
        PrometheusText.Sample(text, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", model, GenerationTokens);
        PrometheusText.Sample(text, "vllm:request_success_total", "counter", "Count of successfully processed requests.",
            PrometheusText.Label("finished_reason", "length") + "," + model, Succeeded);
        firstToken.WriteTo(text, model);
        endToEnd.WriteTo(text, model);
        return text.ToString();
    }
}
