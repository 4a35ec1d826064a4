using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Gateways;
using NUnit.Framework;

namespace AiConformance.Suite.Networking;

/// <summary>
/// ai_inference (KAR-0010): the Gateway API with an implementation that splits traffic by weight, routes by OpenAI-style
/// headers and answers 404 where no rule matches, shown with real traffic sent from inside the cluster through a
/// Gateway to serve-echo backends that name themselves in every answer. One case per GatewayClass found.
/// </summary>
[Requirement("ai_inference")]
public sealed class AiInference
{
    /// <summary>Requests per weighted run: the binomial bound for an 80 % share is then ±27 requests (under 7 %).</summary>
    private const int WeightedRequests = 400;

    /// <summary>Requests per header: every one must land on its backend, so a few dozen show a gateway that ignores the match.</summary>
    private const int HeaderRequests = 40;

    /// <summary>The model header routing follows, as the inference extension's body-based router sets it from the OpenAI request.</summary>
    private const string ModelHeader = "X-Gateway-Model-Name";

    private static IEnumerable<TestCaseData> Classes() => GatewayDetection.Cases.Cases();

    private static DetectedGateway Require(DetectedGateway? found) =>
        GatewayDetection.Cases.Require(found, "Gateway API implementation",
            searched => Assert.Fail($"no Gateway API implementation: ai_inference needs one (looked for: {searched})"));

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0010: the Gateway API is served and the implementation's controller has Accepted its GatewayClass")]
    public void GatewayClassIsAcceptedByItsController(DetectedGateway? found)
    {
        var detected = Require(found);
        TestGateway.RequireAccepted(detected);
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0010: a Gateway and an HTTPRoute to two backends report Accepted, Programmed and ResolvedRefs, and the listener counts the route")]
    public async Task GatewayAndRouteReportAcceptedProgrammedAndResolved(DetectedGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("gateway");
        await TestGateway.EchoBackendsAsync(ns, "echo-a", "echo-b");
        var gateway = await TestGateway.CreateAsync(ns, detected);
        await gateway.RouteAsync("both", TestGateway.Rule("/", null, ("echo-a", 1), ("echo-b", 1)));

        Evidence.Step("Control: a route to a Service that does not exist must be reported with ResolvedRefs=False");
        await gateway.UnresolvedRouteAsync("missing", TestGateway.Rule("/missing", null, ("no-such-service", 1)));
        if (detected.ExistingName is null)
        {
            var listeners = await gateway.WaitForAttachedRoutesAsync(2);
            Assert.That(listeners, Is.Not.Empty, "the Gateway reports the status of its listener");
        }
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0010 weighted splitting: backendRefs weighted 80/20/0 split the requests within the binomial bound, and the weight-0 backend gets none")]
    public async Task WeightedBackendsSplitTrafficWithinTheBinomialBound(DetectedGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("weights");
        await TestGateway.EchoBackendsAsync(ns, "primary", "canary", "idle");
        var gateway = await TestGateway.CreateAsync(ns, detected);
        await gateway.RouteAsync("split", TestGateway.Rule("/v1", null, ("primary", 80), ("canary", 20), ("idle", 0)));

        var summary = await LoadJob.RunAsync(ns, "weighted-load", gateway.Url("/v1/completions"), WeightedRequests);
        var answered = summary.Backends.Values.Sum();
        var primary = BinomialBound.For(answered, 0.8);
        var canary = BinomialBound.For(answered, 0.2);
        Evidence.Observed("requests answered by a backend (N)", answered);
        Evidence.Observed("primary (weight 80)", $"{summary.Backend("primary")}; {primary}");
        Evidence.Observed("canary (weight 20)", $"{summary.Backend("canary")}; {canary}");
        Evidence.Observed("idle (weight 0)", summary.Backend("idle"));

        Assert.Multiple(() =>
        {
            Assert.That(summary.Status(200), Is.EqualTo(WeightedRequests), $"every request through the Gateway is answered 200; {summary}");
            Assert.That(primary.Contains(summary.Backend("primary")), Is.True, $"primary (weight 80) got {summary.Backend("primary")}; {primary}");
            Assert.That(canary.Contains(summary.Backend("canary")), Is.True, $"canary (weight 20) got {summary.Backend("canary")}; {canary}");
            Assert.That(summary.Backend("idle"), Is.Zero, "a backend of weight 0 must receive no request (a gateway that ignores weights sends it some)");
        });
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0010 header-based routing: requests carrying the OpenAI model header all reach that model's backend, and none reaches the other")]
    public async Task ModelHeaderSendsEveryRequestToItsModelsBackend(DetectedGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("headers");
        await TestGateway.EchoBackendsAsync(ns, "model-a", "model-b");
        var gateway = await TestGateway.CreateAsync(ns, detected);
        await gateway.RouteAsync("by-model",
            TestGateway.Rule("/v1", new Dictionary<string, string> { [ModelHeader] = "model-a" }, ("model-a", 1)),
            TestGateway.Rule("/v1", new Dictionary<string, string> { [ModelHeader] = "model-b" }, ("model-b", 1)));

        var toA = await LoadJob.RunAsync(ns, "load-model-a", gateway.Url("/v1/chat/completions"), HeaderRequests, $"{ModelHeader}:model-a");
        var toB = await LoadJob.RunAsync(ns, "load-model-b", gateway.Url("/v1/chat/completions"), HeaderRequests, $"{ModelHeader}:model-b");

        Assert.Multiple(() =>
        {
            Assert.That(toA.Backend("model-a"), Is.EqualTo(HeaderRequests), $"{ModelHeader}: model-a must reach model-a every time; {toA}");
            Assert.That(toA.Backend("model-b"), Is.Zero, $"{ModelHeader}: model-a must never reach model-b; {toA}");
            Assert.That(toB.Backend("model-b"), Is.EqualTo(HeaderRequests), $"{ModelHeader}: model-b must reach model-b every time; {toB}");
            Assert.That(toB.Backend("model-a"), Is.Zero, $"{ModelHeader}: model-b must never reach model-a; {toB}");
        });
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0010: a path or a model that matches no rule gets the gateway's 404, while a matching request through the same Gateway is answered")]
    public async Task RequestMatchingNoRuleGetsNotFound(DetectedGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("nomatch");
        await TestGateway.EchoBackendsAsync(ns, "model-a");
        var gateway = await TestGateway.CreateAsync(ns, detected);
        await gateway.RouteAsync("only-model-a", TestGateway.Rule("/v1", new Dictionary<string, string> { [ModelHeader] = "model-a" }, ("model-a", 1)));

        var control = await LoadJob.RunAsync(ns, "load-matching", gateway.Url("/v1/completions"), HeaderRequests, $"{ModelHeader}:model-a");
        var otherPath = await LoadJob.RunAsync(ns, "load-other-path", gateway.Url("/not-routed"), HeaderRequests, $"{ModelHeader}:model-a");
        var otherModel = await LoadJob.RunAsync(ns, "load-other-model", gateway.Url("/v1/completions"), HeaderRequests, $"{ModelHeader}:model-z");

        Assert.Multiple(() =>
        {
            Assert.That(control.Backend("model-a"), Is.EqualTo(HeaderRequests), $"control: the matching request is answered by model-a (else the 404s prove nothing); {control}");
            Assert.That(otherPath.Status(404), Is.EqualTo(HeaderRequests), $"a path no rule matches gets 404; {otherPath}");
            Assert.That(otherModel.Status(404), Is.EqualTo(HeaderRequests), $"a model no rule matches gets 404; {otherModel}");
        });
    }
}
