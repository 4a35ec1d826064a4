using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AiConformance.Workloads.Serving;

/// <summary>Which phases of inference a <c>serve-model</c> instance runs (<c>--phase</c>).</summary>
public enum ServingPhase
{
    /// <summary>Prefill and decode in one instance (an ordinary server).</summary>
    Both,

    /// <summary>Only prefill: computes the prompt's KV cache and hands it to the decode instance that asked.</summary>
    Prefill,

    /// <summary>Only decode: has a prefill instance compute the prompt, then generates the tokens itself.</summary>
    Decode,
}

/// <summary>
/// The wire contract of disaggregated serving, as vLLM's P/D connector and llm-d's routing sidecar use it: the decode
/// side sends the request to a prefill instance with <c>kv_transfer_params.do_remote_decode</c> and one token to
/// generate; the prefill answers with <c>kv_transfer_params</c> naming itself (<c>remote_engine_id</c>). Both
/// instances log the same request id, and every answer names the pods that did each phase in one header.
/// </summary>
public static class Disaggregation
{
    /// <summary>The answer's header naming the pods of each phase: <c>prefill=POD; decode=POD</c>.</summary>
    public const string PhasesHeader = "X-Inference-Phases";

    /// <summary>The correlation id both phases log (the client's own, else one the decode instance makes).</summary>
    public const string RequestIdHeader = "X-Request-Id";

    public static string PhasesValue(string prefillPod, string? decodePod) =>
        decodePod is null ? $"prefill={prefillPod}" : $"prefill={prefillPod}; decode={decodePod}";

    /// <summary>The pods of a <see cref="PhasesHeader"/> value; nulls for what it does not name.</summary>
    public static (string? Prefill, string? Decode) ParsePhases(string? value)
    {
        string? prefill = null, decode = null;
        foreach (var part in (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2) continue;
            if (pair[0] == "prefill") prefill = pair[1];
            else if (pair[0] == "decode") decode = pair[1];
        }
        return (prefill, decode);
    }
}

/// <summary>
/// The decode instance's client of the prefill instances (through their Service), one connection per request. A
/// connection that cannot be made is tried again, up to <see cref="Attempts"/> times after a growing pause, as a routing
/// sidecar does: the Service may have just chosen a pod that is going away, and each attempt lets it choose again.
/// </summary>
public sealed class RemotePrefill(HttpClient client, Uri prefillUrl)
{
    private const int Attempts = 3;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);

    public sealed record Outcome(string? PrefillPod, string? Error);

    public async Task<Outcome> RunAsync(JsonObject request, bool chat, string requestId, CancellationToken cancellationToken)
    {
        var prefillRequest = request.DeepClone().AsObject();
        prefillRequest["max_tokens"] = 1;
        prefillRequest.Remove("max_completion_tokens");
        prefillRequest["kv_transfer_params"] = new JsonObject { ["do_remote_decode"] = true };
        var url = new Uri(prefillUrl, chat ? "/v1/chat/completions" : "/v1/completions");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(prefillRequest) };
                message.Headers.TryAddWithoutValidation(Disaggregation.RequestIdHeader, requestId);
                // A connection per request, so that the Service spreads prefills over every prefill pod, new ones too.
                message.Headers.ConnectionClose = true;
                using var response = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) return new Outcome(null, $"the prefill instance answered {(int)response.StatusCode}: {body}");
                if (ParseObject(body) is not { } answer)
                    return new Outcome(null, $"the prefill instance answered {(int)response.StatusCode} without a JSON object: '{Excerpt(body)}'");
                var engine = answer["kv_transfer_params"]?["remote_engine_id"]?.GetValue<string>();
                return engine is null ? new Outcome(null, "the prefill instance's answer has no kv_transfer_params.remote_engine_id") : new Outcome(engine, null);
            }
            catch (HttpRequestException error) when (attempt < Attempts)
            {
                _ = error; // the chosen pod went away: the Service chooses again, once its endpoints had a moment to learn of it
                await Task.Delay(RetryPause * attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException error)
            {
                return new Outcome(null, $"no prefill instance answered at {prefillUrl}: {error.Message}");
            }
        }
    }

    private static JsonObject? ParseObject(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Excerpt(string body) => body.Length <= 200 ? body : body[..200] + "...";
}
