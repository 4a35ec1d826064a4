using System.Text;
using System.Text.Json.Nodes;
using AiConformance.Workloads.Metrics;
using AiConformance.Workloads.Serving;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class DisaggregatedServingTests
{
    private const string Model = "acme/tiny-llm";

    private static StringContent Completion() =>
        new(new JsonObject { ["model"] = Model, ["prompt"] = "split the phases please", ["max_tokens"] = 6 }.ToJsonString(), Encoding.UTF8, "application/json");

    private static double Counter(ModelServer server, string metric) =>
        Exposition.Parse(server.Metrics.Render()).Samples(metric).Sum(sample => sample.Value);

    [Test]
    public async Task DecodeHasThePrefillInstanceDoThePromptAndNamesBothPods()
    {
        var prefill = new ModelServer(Model, phase: ServingPhase.Prefill, pod: "prefill-0");
        await using var prefillServer = LocalServer.Start(prefill.HandleAsync);
        using var prefillClient = new HttpClient();
        var decode = new ModelServer(Model, phase: ServingPhase.Decode, remotePrefill: new RemotePrefill(prefillClient, prefillServer.Url), pod: "decode-0");
        await using var decodeServer = LocalServer.Start(decode.HandleAsync);

        using var response = await decodeServer.Client.PostAsync("/v1/completions", Completion());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var phases = Disaggregation.ParsePhases(response.Headers.GetValues(Disaggregation.PhasesHeader).Single());

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(phases, Is.EqualTo(((string?)"prefill-0", (string?)"decode-0")));
            Assert.That((string?)body["choices"]![0]!["text"], Is.Not.Empty);
            Assert.That(Counter(prefill, "vllm:prompt_tokens_total"), Is.EqualTo(4), "the prefill instance processed the prompt");
            Assert.That(Counter(decode, "vllm:prompt_tokens_total"), Is.Zero, "the decode instance did not");
            Assert.That(Counter(decode, "vllm:generation_tokens_total"), Is.EqualTo(6), "the decode instance generated the tokens");
        });
    }

    [Test]
    public async Task DecodeAnswers503WhenNoPrefillInstanceAnswers()
    {
        using var client = new HttpClient();
        var decode = new ModelServer(Model, phase: ServingPhase.Decode, remotePrefill: new RemotePrefill(client, new Uri($"http://127.0.0.1:{LocalServer.FreePort()}/")), pod: "decode-0");
        await using var decodeServer = LocalServer.Start(decode.HandleAsync);

        using var response = await decodeServer.Client.PostAsync("/v1/completions", Completion());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That((int)response.StatusCode, Is.EqualTo(503));
        Assert.That((string?)body["error"]!["message"], Does.StartWith("prefill failed: no prefill instance answered"));
    }

    [Test]
    public async Task DecodeAnswers503NamingAnEmptyPrefillAnswer()
    {
        await using var prefillServer = LocalServer.Start((_, _) => Task.FromResult(new RoleResponse(200, "application/json", "")));
        using var client = new HttpClient();
        var decode = new ModelServer(Model, phase: ServingPhase.Decode, remotePrefill: new RemotePrefill(client, prefillServer.Url), pod: "decode-0");
        await using var decodeServer = LocalServer.Start(decode.HandleAsync);

        using var response = await decodeServer.Client.PostAsync("/v1/completions", Completion());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That((int)response.StatusCode, Is.EqualTo(503));
        Assert.That((string?)body["error"]!["message"], Is.EqualTo("prefill failed: the prefill instance answered 200 without a JSON object: ''"));
    }

    [Test]
    public async Task APrefillRequestReachingADecodeInstanceIsPrefilledThereAndSaysSo()
    {
        var decode = new ModelServer(Model, phase: ServingPhase.Decode, remotePrefill: null, pod: "decode-0");
        await using var server = LocalServer.Start(decode.HandleAsync);
        var request = new JsonObject { ["model"] = Model, ["prompt"] = "x y", ["max_tokens"] = 1, ["kv_transfer_params"] = new JsonObject { ["do_remote_decode"] = true } };

        using var response = await server.Client.PostAsync("/v1/completions", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That((string?)body["kv_transfer_params"]!["remote_engine_id"], Is.EqualTo("decode-0"));
            Assert.That(response.Headers.GetValues(Disaggregation.PhasesHeader).Single(), Is.EqualTo("prefill=decode-0"));
        });
    }
}
