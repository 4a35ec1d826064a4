using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiConformance.Workloads.Serving;

/// <summary>
/// The <c>serve-model</c> role: an OpenAI-compatible inference server simulator. It lists one model, answers
/// completions and chat completions (non-streaming) with deterministic text and token counts, and exposes vLLM-style
/// metrics. Errors use the OpenAI error document. With a time per token, a request takes as long as a real server
/// would to generate its tokens, so that concurrent load shows as running requests and cache usage.
/// </summary>
/// <remarks>
/// Disaggregated (<see cref="ServingPhase"/>): a prefill instance processes the prompt and generates one token,
/// answering with <c>kv_transfer_params</c> that name it; a decode instance has a prefill instance (through
/// <see cref="RemotePrefill"/>) do the prompt, then generates the tokens. Each counts only its own phase's tokens, and
/// both name the pods of the phases in <see cref="Disaggregation.PhasesHeader"/>.
/// </remarks>
public sealed class ModelServer(string modelName, TimeSpan timePerToken = default, ServingPhase phase = ServingPhase.Both,
    RemotePrefill? remotePrefill = null, string pod = "")
{

    public const int DefaultPort = 8000;
    public const string DefaultModel = "aiconformance/sim-model";
    private const int DefaultMaxTokens = 16;
    private const int MaxTokensLimit = 4096;

    private long nextId;

    public ModelServerMetrics Metrics { get; } = new(modelName);

    public async Task<RoleResponse> HandleAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        var path = request.Url?.AbsolutePath.TrimEnd('/') ?? "";
        var method = request.HttpMethod;
        switch (path)
        {
            case "/health":
                return method == "GET" ? RoleResponse.Json(200, "{\"status\":\"ok\"}") : MethodNotAllowed(method, path);
            case "/metrics":
                return method == "GET" ? new RoleResponse(200, PrometheusText.ContentType, Metrics.Render()) : MethodNotAllowed(method, path);
            case "/v1/models":
                return method == "GET" ? RoleResponse.Json(200, ModelList().ToJsonString()) : MethodNotAllowed(method, path);
            case "/v1/completions" or "/v1/chat/completions":
                if (method != "POST") return MethodNotAllowed(method, path);
                using (var reader = new StreamReader(request.InputStream, request.ContentEncoding))
                {
                    var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                    return await CompleteAsync(body, chat: path == "/v1/chat/completions", cancellationToken).ConfigureAwait(false);
                }
            default:
                return Error(404, $"no route {method} {path}; this server answers /v1/models, /v1/completions, /v1/chat/completions, /health and /metrics",
                    "not_found_error", null);
        }
    }

    /// <summary>Answers a completion request body; <paramref name="chat"/> selects the chat form.</summary>
    public async Task<RoleResponse> CompleteAsync(string body, bool chat, CancellationToken cancellationToken)
    {
        JsonObject requestObject;
        try
        {
            requestObject = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            return InvalidRequest($"the request body is not valid JSON: {e.Message}", null);
        }
        if (requestObject["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model))
            return InvalidRequest("'model' is required (a string)", "model");
        if (model != modelName)
            return Error(400, $"the model '{model}' does not exist; this server serves '{modelName}'", "invalid_request_error", "model", "model_not_found");
        if (requestObject["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var streaming) && streaming)
            return InvalidRequest("streaming is not supported by this simulator; send \"stream\": false", "stream");
        var maxTokens = DefaultMaxTokens;
        var limitName = requestObject.ContainsKey("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        if (requestObject[limitName] is { } limit)
        {
            if (limit is not JsonValue limitValue || !limitValue.TryGetValue<int>(out maxTokens) || maxTokens < 1 || maxTokens > MaxTokensLimit)
                return InvalidRequest($"'{limitName}' must be an integer from 1 to {MaxTokensLimit}", limitName);
        }
        var prompt = chat ? ChatPrompt(requestObject) : CompletionPrompt(requestObject);
        if (prompt is null)
            return chat
                ? InvalidRequest("'messages' is required: a non-empty array of {\"role\": ..., \"content\": \"...\"}", "messages")
                : InvalidRequest("'prompt' is required: a string or an array of strings", "prompt");

        Metrics.RequestStarted();
        try
        {
            var clock = Stopwatch.StartNew();
            string? prefillPod = null;
            // A prefill request that reaches a decode instance is prefilled there (as vLLM's kv_both role does), never
            // sent on to another prefill: the answer then names this pod as the prefill, which is what happened.
            var asked = requestObject["kv_transfer_params"]?["do_remote_decode"] is JsonValue remote && remote.TryGetValue<bool>(out var flag) && flag;
            var doing = asked ? ServingPhase.Prefill : phase;
            if (doing == ServingPhase.Decode)
            {
                var requestId = $"{pod}-{Interlocked.Increment(ref nextId)}";
                var prefill = await remotePrefill!.RunAsync(requestObject, chat, requestId, cancellationToken).ConfigureAwait(false);
                if (prefill.Error is not null) return Error(503, $"prefill failed: {prefill.Error}", "service_unavailable", null);
                prefillPod = prefill.PrefillPod;
            }
            if (doing == ServingPhase.Prefill) maxTokens = 1;
            var words = TextGenerator.Generate(prompt, maxTokens);
            if (timePerToken > TimeSpan.Zero) await Task.Delay(timePerToken, cancellationToken).ConfigureAwait(false);
            var firstToken = clock.Elapsed;
            if (timePerToken > TimeSpan.Zero && words.Count > 1)
                await Task.Delay(timePerToken * (words.Count - 1), cancellationToken).ConfigureAwait(false);
            var text = string.Join(' ', words);
            var promptTokens = TextGenerator.CountTokens(prompt);
            var document = Response(chat, text, promptTokens, words.Count);
            // A decode instance did not process the prompt: the prefill instance counted it.
            Metrics.RequestFinished(doing == ServingPhase.Decode ? 0 : promptTokens, words.Count, firstToken, clock.Elapsed);
            return doing switch
            {
                ServingPhase.Prefill => new RoleResponse(200, "application/json", WithTransferParameters(document).ToJsonString(),
                    new Dictionary<string, string> { [Disaggregation.PhasesHeader] = Disaggregation.PhasesValue(pod, null) }),
                ServingPhase.Decode => new RoleResponse(200, "application/json", document.ToJsonString(),
                    new Dictionary<string, string> { [Disaggregation.PhasesHeader] = Disaggregation.PhasesValue(prefillPod!, pod) }),
                _ => RoleResponse.Json(200, document.ToJsonString()),
            };
        }
        finally
        {
            Metrics.RequestEnded();
        }
    }

    private JsonObject Response(bool chat, string text, int promptTokens, int completionTokens)
    {
        var id = Interlocked.Increment(ref nextId);
        JsonObject choice = chat
            ? new() { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text }, ["finish_reason"] = "length" }
            : new() { ["index"] = 0, ["text"] = text, ["logprobs"] = null, ["finish_reason"] = "length" };
        return new JsonObject
        {
            ["id"] = (chat ? "chatcmpl-" : "cmpl-") + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["object"] = chat ? "chat.completion" : "text_completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = modelName,
            ["choices"] = new JsonArray(choice),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
    }

    /// <summary>What a prefill instance hands the decode instance: where its KV cache is to be read from.</summary>
    private JsonObject WithTransferParameters(JsonObject document)
    {
        document["kv_transfer_params"] = new JsonObject
        {
            ["do_remote_prefill"] = true,
            ["do_remote_decode"] = false,
            ["remote_engine_id"] = pod,
            ["remote_block_ids"] = new JsonArray(0),
        };
        return document;
    }

    private JsonObject ModelList() => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray(new JsonObject { ["id"] = modelName, ["object"] = "model", ["created"] = 0, ["owned_by"] = "aiconformance" }),
    };

    private static string? CompletionPrompt(JsonObject request) => request["prompt"] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray { Count: > 0 } parts when parts.All(p => p is JsonValue v && v.TryGetValue<string>(out _)) =>
            string.Join('\n', parts.Select(p => p!.GetValue<string>())),
        _ => null,
    };

    private static string? ChatPrompt(JsonObject request)
    {
        if (request["messages"] is not JsonArray { Count: > 0 } messages) return null;
        var contents = new List<string>();
        foreach (var message in messages)
        {
            if (message is not JsonObject { } entry || entry["role"] is not JsonValue role || !role.TryGetValue<string>(out _)) return null;
            if (entry["content"] is JsonValue content && content.TryGetValue<string>(out var text)) contents.Add(text);
            else return null;
        }
        return string.Join('\n', contents);
    }

    private static RoleResponse MethodNotAllowed(string method, string path) =>
        Error(405, $"{method} is not allowed on {path}", "invalid_request_error", null);

    private static RoleResponse InvalidRequest(string message, string? parameter) => Error(400, message, "invalid_request_error", parameter);

    private static RoleResponse Error(int status, string message, string type, string? parameter, string? code = null) =>
        RoleResponse.Json(status, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = parameter, ["code"] = code },
        }.ToJsonString());
}
