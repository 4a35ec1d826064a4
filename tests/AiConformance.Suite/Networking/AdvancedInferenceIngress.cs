using System.Globalization;
using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Gateways;
using AiConformance.Suite.Framework.Metrics;
using AiConformance.Workloads;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Networking;

/// <summary>
/// advanced_inference_ingress (KAR-0011): the Gateway API Inference Extension, following its own conformance tests with
/// real traffic sent from inside the cluster: HTTPRoutes whose backend is an InferencePool, the gateway asking the
/// pool's endpoint picker where each request goes and following its answer, weights between pools, references that do
/// not resolve reported in conditions, the pool's failure mode when its picker is down, and a picker that reads the
/// model servers' metrics sending new requests away from a loaded server. One case per GatewayClass found.
/// </summary>
[Requirement("advanced_inference_ingress")]
public sealed class AdvancedInferenceIngress
{
    /// <summary>Requests per endpoint steered to: each must land there, so a gateway ignoring the picker shows at once.</summary>
    private const int SteeredRequests = 10;

    /// <summary>Requests split between two weighted pools: the binomial bound for a 70 % share is then ±22 (11 %).</summary>
    private const int WeightedRequests = 200;

    private const int FailureRequests = 20;

    /// <summary>Requests sent through the pool while one server is loaded: a picker blind to load sends about half to it.</summary>
    private const int MetricRequests = 40;

    /// <summary>Requests kept in flight on the loaded server, each generating many tokens slowly.</summary>
    private const int LoadInFlight = 8;

    private const int ModelPort = 8000;
    private const int TimePerTokenMs = 100;
    private const string Model = "conformance/pooled";

    private static IEnumerable<TestCaseData> Classes() => InferencePoolDetection.Cases.Cases();

    private static DetectedInferenceGateway Require(DetectedInferenceGateway? found) =>
        InferencePoolDetection.Cases.Require(found, "Gateway API Inference Extension",
            searched => Assert.Fail($"no Gateway API Inference Extension: advanced_inference_ingress needs InferencePools served and a Gateway API implementation routing to them (looked for: {searched})"));

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0011 (InferencePoolAccepted, InferencePoolResolvedRefsCondition): an HTTPRoute to an InferencePool is Accepted with ResolvedRefs, the pool reports Accepted and ResolvedRefs for the Gateway, and requests reach the pool's pods")]
    public async Task PoolBehindARouteIsAcceptedWithItsReferencesResolved(DetectedInferenceGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("pool");
        await TestInferencePool.EchoPoolAsync(ns, "primary", 2);
        var members = await TestInferencePool.WaitForReadyAsync(ns, 3, "primary", TestInferencePool.PickerName("primary"));
        var gateway = await TestGateway.CreateAsync(ns, detected.Gateway);
        await gateway.RouteAsync("to-pool", TestGateway.Rule("/", null, InferenceApi.PoolRef("primary")));
        await TestInferencePool.WaitForStatusAsync(ns, gateway, "primary", "Accepted with ResolvedRefs",
            status => GatewayApi.Holds(status.Conditions, "Accepted") && GatewayApi.Holds(status.Conditions, "ResolvedRefs"));

        Evidence.Step("Control: the conditions describe a pool that serves: requests through the Gateway reach its pods");
        var summary = await LoadJob.RunAsync(ns, "load-pool", gateway.Url("/v1/completions"), SteeredRequests);
        var pods = members.Where(pod => pod.Metadata.Labels[RoleWorkloads.AppLabel] == "primary").Select(pod => pod.Metadata.Name).ToList();
        Assert.That(pods.Sum(summary.Pod), Is.EqualTo(SteeredRequests), $"every request is answered by a pod of the pool ({string.Join(", ", pods)}); {summary}");
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0011 (GatewayFollowingEPPRouting): with the conformance picker steering by the test-epp-endpoint-selection header, every request lands on the pod the picker chose")]
    public async Task GatewaySendsEveryRequestToTheEndpointThePickerChose(DetectedInferenceGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("picker");
        await TestInferencePool.EchoPoolAsync(ns, "steered", 3);
        var members = (await TestInferencePool.WaitForReadyAsync(ns, 4, "steered", TestInferencePool.PickerName("steered")))
            .Where(pod => pod.Metadata.Labels[RoleWorkloads.AppLabel] == "steered").ToList();
        var gateway = await TestGateway.CreateAsync(ns, detected.Gateway);
        await gateway.RouteAsync("to-pool", TestGateway.Rule("/", null, InferenceApi.PoolRef("steered")));

        var results = new List<(V1Pod Pod, LoadSummary Summary)>();
        foreach (var (pod, index) in members.Select((pod, index) => (pod, index)))
        {
            var summary = await LoadJob.RunAsync(ns, $"load-steered-{index}", gateway.Url("/v1/completions"), SteeredRequests,
                $"{InferenceApi.EndpointSelectionHeader}:{pod.Status.PodIP}");
            results.Add((pod, summary));
        }
        Assert.Multiple(() =>
        {
            foreach (var (pod, summary) in results)
                Assert.That(summary.Pod(pod.Metadata.Name), Is.EqualTo(SteeredRequests),
                    $"every request the picker sent to {pod.Metadata.Name} ({pod.Status.PodIP}) lands there; {summary}");
        });
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0011 (GatewayWeightedAcrossTwoInferencePools): backendRefs to two InferencePools weighted 70/30 split the requests within the binomial bound")]
    public async Task TwoWeightedPoolsSplitTrafficWithinTheBinomialBound(DetectedInferenceGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("pools");
        await TestInferencePool.EchoPoolAsync(ns, "primary", 1);
        await TestInferencePool.EchoPoolAsync(ns, "secondary", 1);
        await TestInferencePool.WaitForReadyAsync(ns, 4, "primary", "secondary", TestInferencePool.PickerName("primary"), TestInferencePool.PickerName("secondary"));
        var gateway = await TestGateway.CreateAsync(ns, detected.Gateway);
        await gateway.RouteAsync("weighted", TestGateway.Rule("/", null, InferenceApi.PoolRef("primary", 70), InferenceApi.PoolRef("secondary", 30)));

        var summary = await LoadJob.RunAsync(ns, "weighted-load", gateway.Url("/v1/completions"), WeightedRequests);
        var answered = summary.Backend("primary") + summary.Backend("secondary");
        var primary = BinomialBound.For(answered, 0.7);
        var secondary = BinomialBound.For(answered, 0.3);
        Evidence.Observed("requests answered by a pool (N)", answered);
        Evidence.Observed("pool primary (weight 70)", $"{summary.Backend("primary")}; {primary}");
        Evidence.Observed("pool secondary (weight 30)", $"{summary.Backend("secondary")}; {secondary}");
        Assert.Multiple(() =>
        {
            Assert.That(summary.Status(200), Is.EqualTo(WeightedRequests), $"every request through the Gateway is answered 200; {summary}");
            Assert.That(primary.Contains(summary.Backend("primary")), Is.True, $"pool primary (weight 70) got {summary.Backend("primary")}; {primary}");
            Assert.That(secondary.Contains(summary.Backend("secondary")), Is.True, $"pool secondary (weight 30) got {summary.Backend("secondary")}; {secondary}");
        });
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0011 (InferencePoolInvalidEPPService, HTTPRouteInvalidInferencePoolRef): a picker reference to a Service that does not exist, and a route to a pool that does not exist, are reported in conditions, and no request is answered by the pool")]
    public async Task UnresolvedPickerOrPoolIsReportedInConditions(DetectedInferenceGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("badref");
        var spec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeEcho,
            ["--port", RoleWorkloads.Number(TestGateway.EchoPort), "--backend", "orphaned"], port: TestGateway.EchoPort);
        await ns.CreateAsync(TestInferencePool.Member(RoleWorkloads.Deployment("orphaned", 1, spec), "orphaned"));
        await ns.CreateAsync(TestInferencePool.Pool("orphaned", TestGateway.EchoPort, "no-such-picker"));
        await TestInferencePool.WaitForReadyAsync(ns, 1, "orphaned");
        var gateway = await TestGateway.CreateAsync(ns, detected.Gateway);
        await gateway.UnresolvedRouteAsync("to-missing-pool", TestGateway.Rule("/missing", null, InferenceApi.PoolRef("no-such-pool")));

        Evidence.Step("Route to the pool whose picker Service does not exist: the pool's or the route's conditions must say so");
        await gateway.CreateRouteAsync("to-orphaned", TestGateway.Rule("/orphaned", null, InferenceApi.PoolRef("orphaned")));
        var reported = await Wait.For(ns.Objects<InferencePool>().Watchable("orphaned"))
            .Until("InferencePool orphaned to report its picker reference unresolved", pools => pools.Any(pool =>
                InferenceApi.ParentStatus(pool, gateway.Namespace, gateway.Name)?.Conditions?.Any(c => c.Type is "ResolvedRefs" or "Accepted" && c.Status == "False") == true))
            .DescribedBy(pools => pools.Count == 0 ? "no such pool" : InferenceApi.DescribeParents(pools[0]))
            .Within(ns.Timeouts.RouteAccepted)
            .Async(ns.Cancellation);
        Evidence.Observed("InferencePool orphaned", InferenceApi.DescribeParents(reported[0]));

        var summary = await LoadJob.RunAsync(ns, "load-orphaned", gateway.Url("/orphaned"), FailureRequests);
        Assert.That(summary.Backend("orphaned"), Is.Zero, $"no request reaches a pool whose picker cannot be found (its default failure mode is FailClose); {summary}");
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0011 (EppUnAvailableFailOpen): with its picker down, a FailOpen pool still serves every request and a FailClose pool serves none")]
    public async Task PickerDownFailsOpenOrClosedAsThePoolAsks(DetectedInferenceGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("failmode");
        await TestInferencePool.EchoPoolAsync(ns, "fail-open", 1, "FailOpen");
        await TestInferencePool.EchoPoolAsync(ns, "fail-closed", 1, "FailClose");
        await TestInferencePool.WaitForReadyAsync(ns, 4, "fail-open", "fail-closed", TestInferencePool.PickerName("fail-open"), TestInferencePool.PickerName("fail-closed"));
        var gateway = await TestGateway.CreateAsync(ns, detected.Gateway);
        await gateway.RouteAsync("by-mode",
            TestGateway.Rule("/open", null, InferenceApi.PoolRef("fail-open")),
            TestGateway.Rule("/closed", null, InferenceApi.PoolRef("fail-closed")));

        Evidence.Step("Control: while the pickers run, both pools answer");
        var openBefore = await LoadJob.RunAsync(ns, "open-picker-up", gateway.Url("/open"), FailureRequests);
        var closedBefore = await LoadJob.RunAsync(ns, "closed-picker-up", gateway.Url("/closed"), FailureRequests);
        Assert.That(openBefore.Backend("fail-open") + closedBefore.Backend("fail-closed"), Is.EqualTo(2 * FailureRequests),
            $"with the pickers up every request is served (else the later failures prove nothing); {openBefore}; {closedBefore}");

        Evidence.Step("Take both pickers down (delete their Deployments) and wait for their pods to be gone");
        await ns.Objects<V1Deployment>().DeleteAsync(TestInferencePool.PickerName("fail-open"), ns.Cancellation);
        await ns.Objects<V1Deployment>().DeleteAsync(TestInferencePool.PickerName("fail-closed"), ns.Cancellation);
        await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: $"{RoleWorkloads.AppLabel} in ({TestInferencePool.PickerName("fail-open")},{TestInferencePool.PickerName("fail-closed")})"))
            .Until("the pickers' pods to be gone", pods => pods.Count == 0)
            .DescribedBy(PodWaits.Describe)
            .Within(ns.Timeouts.PodRunning)
            .Async(ns.Cancellation);

        var open = await LoadJob.RunAsync(ns, "open-picker-down", gateway.Url("/open"), FailureRequests);
        var closed = await LoadJob.RunAsync(ns, "closed-picker-down", gateway.Url("/closed"), FailureRequests);
        Assert.Multiple(() =>
        {
            Assert.That(open.Backend("fail-open"), Is.EqualTo(FailureRequests), $"FailOpen: with the picker down the gateway still sends every request to the pool; {open}");
            Assert.That(closed.Backend("fail-closed"), Is.Zero, $"FailClose: with the picker down no request may reach the pool; {closed}");
            Assert.That(closed.ServerErrors, Is.EqualTo(FailureRequests), $"FailClose: with the picker down every request gets a 5xx; {closed}");
        });
    }

    [TestCaseSource(nameof(Classes))]
    [Description("KAR-0011 metric-aware routing: with one of two serve-model pods loaded (requests in flight, high KV-cache usage), the extension's picker sends new requests mostly to the idle one")]
    public async Task PickerSendsNewRequestsMostlyToTheIdleModelServer(DetectedInferenceGateway? found)
    {
        var detected = Require(found);
        await using var ns = await TestNamespace.CreateAsync("metrics");
        foreach (var server in new[] { "busy", "idle" })
        {
            var spec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeModel,
                ["--port", RoleWorkloads.Number(ModelPort), "--model", Model, "--time-per-token-ms", RoleWorkloads.Number(TimePerTokenMs)]);
            spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = ModelPort, Name = "http" }];
            spec.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = ModelPort }, PeriodSeconds = 1 };
            await ns.CreateAsync(TestInferencePool.Member(RoleWorkloads.Deployment(server, 1, spec), "models"));
        }
        await ns.CreateAsync(RoleWorkloads.Service("busy", 80, ModelPort));
        await TestInferencePool.PickerAsync(ns, "models", PickerKind.MetricAware);
        await ns.CreateAsync(TestInferencePool.Pool("models", ModelPort, TestInferencePool.PickerName("models")));
        var pods = await TestInferencePool.WaitForReadyAsync(ns, 3, "busy", "idle", TestInferencePool.PickerName("models"));
        var busy = pods.First(pod => pod.Metadata.Labels[RoleWorkloads.AppLabel] == "busy");
        var idle = pods.First(pod => pod.Metadata.Labels[RoleWorkloads.AppLabel] == "idle");
        var gateway = await TestGateway.CreateAsync(ns, detected.Gateway);
        await gateway.RouteAsync("to-models", TestGateway.Rule("/", null, InferenceApi.PoolRef("models")));

        await LoadJob.StartAsync(ns, "keep-busy", $"http://busy.{ns.Name}.svc.cluster.local/v1/completions", LoadInFlight, LoadInFlight,
            Completion("Write a long story about a busy server.", 4096));
        var loaded = await WaitForRunningAsync(ns, busy, LoadInFlight);
        Evidence.Observed($"{busy.Metadata.Name} (busy) before", loaded);
        var idleBefore = await SucceededAsync(ns, idle);

        var summary = await LoadJob.PostAsync(ns, "through-pool", gateway.Url("/v1/completions"), MetricRequests, 1, Completion("Say hello.", 1));
        var toIdle = await SucceededAsync(ns, idle) - idleBefore;
        var stillLoaded = await RunningAsync(ns, busy);
        var fair = BinomialBound.For(summary.Status(200), 0.5);
        Evidence.Observed($"{idle.Metadata.Name} (idle) served", $"{toIdle} of {summary.Status(200)} answered requests (its vllm:request_success_total rose by that much)");
        Evidence.Observed($"{busy.Metadata.Name} (busy) served", summary.Status(200) - toIdle);
        Evidence.Observed("a picker blind to load", $"would send the idle server {fair}");
        Evidence.Observed($"{busy.Metadata.Name} (busy) after", $"vllm:num_requests_running {stillLoaded}");
        Assert.Multiple(() =>
        {
            Assert.That(summary.Status(200), Is.EqualTo(MetricRequests), $"every request through the pool is answered 200; {summary}");
            Assert.That(stillLoaded, Is.GreaterThan(0), "the busy server was still loaded when the measurement ended (else the split proves nothing)");
            Assert.That(toIdle, Is.GreaterThan(fair.Expected + fair.Bound),
                $"the idle server got {toIdle} of {summary.Status(200)}: more than a load-blind split allows ({fair}) is needed to show the picker avoids the loaded one");
        });
    }

    /// <summary>An OpenAI completion request; the prompts of the load and of the measured requests differ, so that no prefix-cache affinity steers the measurement.</summary>
    private static string Completion(string prompt, int maxTokens) =>
        $"{{\"model\":\"{Model}\",\"prompt\":\"{prompt}\",\"max_tokens\":{maxTokens.ToString(CultureInfo.InvariantCulture)}}}";

    private static async Task<double> RunningAsync(TestNamespace ns, V1Pod pod) =>
        (await ExporterScrape.ReadAsync(ns.Run, pod, ModelPort, "/metrics", $"serve-model {pod.Metadata.Name}"))
        .Samples("vllm:num_requests_running").Sum(s => s.Value);

    private static async Task<double> SucceededAsync(TestNamespace ns, V1Pod pod) =>
        (await ExporterScrape.ReadAsync(ns.Run, pod, ModelPort, "/metrics", $"serve-model {pod.Metadata.Name}"))
        .Samples("vllm:request_success_total").Sum(s => s.Value);

    /// <summary>Polls the server's metrics (an HTTP endpoint: no watch) until <paramref name="running"/> requests are in flight on it.</summary>
    private static async Task<string> WaitForRunningAsync(TestNamespace ns, V1Pod pod, int running)
    {
        var (last, reached) = await Poll.UntilAsync(() => RunningAsync(ns, pod), value => value >= running, ns.Timeouts.PodCompleted,
            TimeSpan.FromMilliseconds(500), ns.Cancellation);
        Assert.That(reached, $"{pod.Metadata.Name} never had {running} requests in flight from the keep-busy Job (last vllm:num_requests_running: {last})");
        return $"vllm:num_requests_running {last}";
    }
}
