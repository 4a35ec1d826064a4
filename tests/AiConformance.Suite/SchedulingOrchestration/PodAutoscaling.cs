using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Autoscaling;
using AiConformance.Suite.Framework.Metrics;
using AiConformance.Workloads;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.SchedulingOrchestration;

/// <summary>
/// pod_autoscaling (KAR-0057): an autoscaling/v2 HPA scales accelerator-backed model servers on a custom metric
/// relevant to AI serving (vLLM's running requests by default) read through the custom metrics API (a Pods metric) or,
/// where only the external metrics API is served, through it (an External metric over the test's namespace): load
/// makes it add replicas that run with their accelerators, and once the load stops it removes them.
/// </summary>
[Requirement("pod_autoscaling")]
[Holds(Hold.AcceleratorShare, Units = MaxReplicas)] // one unit per model server
public sealed class PodAutoscaling
{
    private const string MetricKey = "podAutoscaling.metric";
    private const string StabilizationKey = "podAutoscaling.scaleDownStabilization";
    private const string ScaleUpTimeoutKey = "podAutoscaling.scaleUpTimeout";
    private const string MetricsLagKey = "podAutoscaling.metricsLag";
    private const string DefaultMetric = "vllm:num_requests_running";
    private const int ServerPort = 8000;
    private const int MaxReplicas = 3;
    private const int LoadConcurrency = 8;

    private static RunContext Run => RunContext.Current;

    private static readonly DetectedCases<DetectedKeda> Keda = new(KedaDetection.DetectAsync);

    public static IEnumerable<TestCaseData> KedaCases() => Keda.Cases();

    [Test]
    [Description("KAR-0057 'How we might test it': a custom-metric HPA scales accelerator model servers up under load and back down after it")]
    public async Task HpaOnACustomMetricScalesAcceleratorServersUpAndDown()
    {
        var detected = await MetricsApiDetection.DetectAsync(Run);
        foreach (var api in detected.Apis) Evidence.Observed("metrics API", api.Describe());
        if (detected.ForHpa is not { } metricsApi)
        {
            Assert.Fail($"no custom or external metrics API is served (looked for {detected.WhatWasLookedFor}); an HPA on CPU alone does not " +
                        "scale on metrics relevant to AI workloads");
            return;
        }
        var settings = Settings.Read();
        await using var ns = await TestNamespace.CreateAsync("pod-autoscaling");
        var servers = await ModelServersAsync(ns);
        Evidence.Step($"Create the HorizontalPodAutoscaler model-server ({(metricsApi.IsExternal ? "External" : "Pods")} metric {settings.Metric} through " +
            $"{metricsApi.Version}.{metricsApi.Group}, target average 2 per replica, 1..{MaxReplicas} replicas, scale-down window {settings.Stabilization.TotalSeconds:0}s)");
        await ns.CreateAsync(Autoscaler(settings.Metric, metricsApi.IsExternal, settings.Stabilization));
        var scaling = await ScaleUpUnderLoadAsync(ns, servers, "model-server", settings);
        await ScaleDownAfterLoadAsync(ns, scaling, settings);
        scaling.AssertScaledUpAndDownOn(settings.Metric);
    }

    [TestCaseSource(nameof(KedaCases))]
    [Description("KAR-0057 with KEDA: a ScaledObject on the same AI metric becomes an HPA that scales accelerator model servers up under load and back down after it")]
    public async Task ScaledObjectScalesAcceleratorServersUpAndDown(DetectedKeda? keda)
    {
        var found = Keda.Require(keda, "KEDA", searched => Outcome.NotApplicable(
            $"KEDA is not installed (looked for {searched}); the HPA case covers pod_autoscaling"));
        Assert.That(found.MetricsServer, Is.Not.Null,
            $"KEDA's ScaledObject API is served but no Available external metrics API is: the HPAs KEDA creates cannot read their metrics");
        var settings = Settings.Read();
        await using var ns = await TestNamespace.CreateAsync("pod-autoscaling-keda");
        var servers = await ModelServersAsync(ns);
        var url = $"http://model.{ns.Name}.svc.cluster.local:{ServerPort}/metrics";
        Evidence.Step($"Create the ScaledObject model-server (metrics-api trigger: {settings.Metric} summed over the endpoints of {url}, " +
            $"target average 2 per replica, 1..{MaxReplicas} replicas, scale-down window {settings.Stabilization.TotalSeconds:0}s)");
        var scaledObjects = ns.Objects<CustomObject>(found.ScaledObjects);
        await ns.CreateAsync(ScaledObject(url, settings), found.ScaledObjects);
        var ready = await Wait.For(scaledObjects.Watchable("model-server"))
            .Until("KEDA to make the ScaledObject Ready and name its HPA",
                seen => seen.FirstOrDefault() is { } so && so.Condition("Ready") == "True" && so.Status?["hpaName"] is not null || seen.FirstOrDefault()?.Condition("Ready") == "False")
            .DescribedBy(seen => Describe(seen.FirstOrDefault())).Within(ns.Timeouts.Reconciled).Async(ns.Cancellation);
        var scaledObject = ready.Single();
        // The trigger reads the servers' own /metrics (metrics-api, format prometheus, endpoint aggregation), which an
        // older KEDA does not know: its refusal says nothing of whether the platform's autoscaling works.
        if (scaledObject.Condition("Ready") != "True")
            Outcome.NeedsAttestation($"KEDA did not accept the test's ScaledObject ({Describe(scaledObject)}); its metrics-api trigger with " +
                                     "`format: prometheus` needs KEDA 2.17 or later: attach evidence of a ScaledObject scaling on an AI serving metric");
        var hpaName = (string)scaledObject.Status!["hpaName"]!;
        Evidence.Observed("ScaledObject", Describe(scaledObject));

        var scaling = await ScaleUpUnderLoadAsync(ns, servers, hpaName, settings);
        var hpa = scaling.Hpa;
        var metric = hpa.Spec.Metrics.FirstOrDefault()?.External?.Metric?.Name ?? "";
        Evidence.Observed($"HPA {hpaName}", $"External metric {metric}, owned by {string.Join(", ", hpa.Metadata.OwnerReferences?.Select(o => $"{o.Kind}/{o.Name}") ?? [])}");
        var active = await Wait.For(scaledObjects.Watchable("model-server")).Until("the ScaledObject to be Active under load", seen => seen.FirstOrDefault()?.Condition("Active") == "True")
            .DescribedBy(seen => Describe(seen.FirstOrDefault())).Within(ns.Timeouts.Reconciled).Async(ns.Cancellation);
        Evidence.Observed("ScaledObject under load", Describe(active.Single()));
        await ScaleDownAfterLoadAsync(ns, scaling, settings);
        var idle = await Wait.For(scaledObjects.Watchable("model-server")).Until("the ScaledObject to be no longer Active once the load stopped", seen => seen.FirstOrDefault()?.Condition("Active") == "False")
            .DescribedBy(seen => Describe(seen.FirstOrDefault())).Within(ns.Timeouts.Reconciled).Async(ns.Cancellation);
        Evidence.Observed("ScaledObject after the load", Describe(idle.Single()));

        Assert.Multiple(() =>
        {
            Assert.That(hpa.Metadata.OwnerReferences?.Any(o => o.Kind == "ScaledObject" && o.Name == "model-server" && o.Controller == true), Is.True,
                $"the HPA {hpaName} that scaled the servers is not the ScaledObject's (owners: {string.Join(", ", hpa.Metadata.OwnerReferences?.Select(o => $"{o.Kind}/{o.Name}") ?? [])})");
            Assert.That(hpa.Spec.Metrics.Select(m => m.Type), Is.EqualTo(new[] { "External" }), $"the metrics of KEDA's HPA {hpaName}");
            scaling.AssertScaledUpAndDownOn(metric);
        });
    }

    /// <param name="MetricsLag">
    /// How far behind the servers' own <c>/metrics</c> the metrics API may be: a real adapter reads what Prometheus
    /// scraped (every 30 s by default) and the HPA reads the adapter every 15 s, so 2 minutes by default.
    /// </param>
    private sealed record Settings(string Metric, TimeSpan Stabilization, TimeSpan ScaleUpTimeout, TimeSpan MetricsLag)
    {
        public static Settings Read() => new(Run.Configuration.GetString(MetricKey, DefaultMetric),
            Run.Configuration.GetDuration(StabilizationKey, TimeSpan.FromSeconds(10)),
            Run.Configuration.GetDuration(ScaleUpTimeoutKey, Run.Timeouts().Autoscaled),
            Run.Configuration.GetDuration(MetricsLagKey, TimeSpan.FromMinutes(2)));
    }

    /// <summary>The Deployment of model servers (one accelerator each where there are accelerators) behind the Service <c>model</c>, its first replica ready.</summary>
    private static async Task<AcceleratorPerReplica?> ModelServersAsync(TestNamespace ns)
    {
        var accelerator = await AcceleratorPerReplica.ChooseAsync(ns, MaxReplicas, "server-accelerator");
        await ns.CreateAsync(ModelServers(DefaultImages.PluginImage(Run.Configuration), accelerator));
        await ns.CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "model" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "model-server" },
                Ports = [new V1ServicePort { Port = ServerPort, TargetPort = ServerPort }],
            },
        });
        await Wait.For(ns.Pods()).Until("the first model server to be ready", pods => pods.Count(IsReadyServer) == 1)
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        return accelerator;
    }

    /// <summary>What one autoscaler did: its HPA as it decided to scale up, the servers that ran under load, those left after it.</summary>
    private sealed class Scaling(string hpaName, ScalingTimeline timeline, V2HorizontalPodAutoscaler hpa, IReadOnlyList<V1Pod> running)
    {
        public string HpaName { get; } = hpaName;
        public ScalingTimeline Timeline { get; } = timeline;
        public V2HorizontalPodAutoscaler Hpa { get; } = hpa;
        public IReadOnlyList<V1Pod> Running { get; } = running;
        public IReadOnlyList<V1Pod> After { get; set; } = [];

        public void AssertScaledUpAndDownOn(string metric) => Assert.Multiple(() =>
        {
            Assert.That(Running, Has.Count.GreaterThan(1), "model servers running under load");
            // Negative control: the scale-up followed the metric rising, not a replica count set some other way.
            Assert.That(Timeline.Lines.Where(line => line.Contains($"{metric}=", StringComparison.Ordinal) && !line.Contains($"{metric}=0,", StringComparison.Ordinal)),
                Is.Not.Empty, $"the metric the HPA read never rose above zero under load: {string.Join("; ", Timeline.Lines)}");
            Assert.That(After.Count(IsReadyServer), Is.EqualTo(1), "model servers left after the load stopped");
        });
    }

    /// <summary>Starts the load and waits for the HPA to ask for more replicas and for them to run with their accelerators.</summary>
    private static async Task<Scaling> ScaleUpUnderLoadAsync(TestNamespace ns, AcceleratorPerReplica? accelerator, string hpaName, Settings settings)
    {
        var timeline = new ScalingTimeline();
        var hpas = ns.Objects<V2HorizontalPodAutoscaler>().Watchable(hpaName);
        Evidence.Step($"Start a Job running `load` ({LoadConcurrency} requests in flight) against the model servers");
        await ns.CreateAsync(Load(DefaultImages.PluginImage(Run.Configuration)));
        await Wait.For(ns.Pods()).Until("the load's pod to run", pods => pods.Any(pod => pod.Metadata.Labels?.TryGetValue("app", out var app) == true && app == "load" && pod.Status?.Phase == "Running"))
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        await MetricFollowsTheServersAsync(ns, hpaName, timeline, settings, "above zero", value => value > 0);
        var decided = await Wait.For(hpas).Until($"the HPA {hpaName} to ask for more than one replica on {settings.Metric}",
                seen => { timeline.Note(seen.FirstOrDefault()); return seen.FirstOrDefault() is { } hpa && (hpa.Status?.DesiredReplicas > 1 || RefusesToScale(hpa)); })
            .DescribedBy(_ => string.Join("; ", timeline.Lines)).Within(settings.ScaleUpTimeout).Async(ns.Cancellation);
        Assert.That(decided.Single(), Has.Property(nameof(V2HorizontalPodAutoscaler.Status)).Property(nameof(V2HorizontalPodAutoscalerStatus.DesiredReplicas)).GreaterThan(1),
            $"the HPA read its metric far above target yet recommended no more replicas: {string.Join("; ", timeline.Lines)}");
        var scaledUp = await Wait.For(ns.Pods()).Until("the added model servers to run with their accelerators",
                pods => pods.Count(pod => IsReadyServer(pod) && (accelerator?.Holds(pod) ?? true)) > 1)
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        var running = scaledUp.Where(IsReadyServer).ToList();
        Evidence.Observed("model servers running under load", string.Join(", ", running.Select(pod => $"{pod.Metadata.Name} on {pod.Spec.NodeName}")));
        return new Scaling(hpaName, timeline, decided.Single(), running);
    }

    /// <summary>Stops the load and waits for the HPA to come back to one replica and the others to be gone.</summary>
    private static async Task ScaleDownAfterLoadAsync(TestNamespace ns, Scaling scaling, Settings settings)
    {
        Evidence.Step($"Stop the load (delete the Job) and wait for the HPA {scaling.HpaName} to scale back to one replica");
        await ns.Objects<V1Job>().DeleteAsync("load", ns.Cancellation);
        await Wait.For(ns.Pods()).Until("the load's pod to be gone", pods => !pods.Any(pod => pod.Metadata.Labels?.TryGetValue("app", out var app) == true && app == "load"))
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        await MetricFollowsTheServersAsync(ns, scaling.HpaName, scaling.Timeline, settings, "at zero", value => value == 0);
        await Wait.For(ns.Objects<V2HorizontalPodAutoscaler>().Watchable(scaling.HpaName)).Until("the HPA to scale back to one replica",
                seen => { scaling.Timeline.Note(seen.FirstOrDefault()); return seen.FirstOrDefault()?.Status is { CurrentReplicas: 1, DesiredReplicas: 1 }; })
            .DescribedBy(_ => string.Join("; ", scaling.Timeline.Lines)).Within(ns.Timeouts.Autoscaled + settings.Stabilization).Async(ns.Cancellation);
        scaling.After = await Wait.For(ns.Pods()).Until("the removed model servers to be gone",
                pods => pods.Count(pod => IsServer(pod)) == 1)
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        Evidence.Block("HPA over time (replicas and the metric it read)", string.Join("\n", scaling.Timeline.Lines));
    }

    /// <summary>
    /// The metrics API must follow the servers' own <c>/metrics</c>: the HPA must come to read the metric in the state
    /// <paramref name="expected"/> says (above zero under load, zero once it stopped) within the lag a real adapter has.
    /// If it does not, the servers' own values, read through the API server's pod proxy, decide: theirs not in that
    /// state leaves the decision to the scaling waits (the load may not have reached them yet); theirs in it starts the
    /// lag afresh, since the lag runs from when the servers show a value, and an HPA still reading otherwise at its end
    /// is a metrics API serving stale values.
    /// </summary>
    private static async Task MetricFollowsTheServersAsync(TestNamespace ns, string hpaName, ScalingTimeline timeline, Settings settings,
        string state, Func<double, bool> expected)
    {
        var reading = Wait.For(ns.Objects<V2HorizontalPodAutoscaler>().Watchable(hpaName))
            .Until($"the HPA to read the metric {state}", found => { timeline.Note(found.FirstOrDefault()); return ReadValue(found.FirstOrDefault()) is { } value && expected(value); })
            .Within(settings.MetricsLag);
        if ((await reading.ReachedAsync(ns.Cancellation)).Reached) return;
        var servers = (await ns.Objects<V1Pod>().ListAsync(null, null, ns.Cancellation)).Items.Where(IsReadyServer).ToList();
        var own = new List<string>();
        var total = 0.0;
        foreach (var server in servers)
        {
            var value = (await ExporterScrape.ReadAsync(Run, server, ServerPort, "/metrics", $"model server {server.Metadata.Name}")).Samples(settings.Metric).Sum(sample => sample.Value);
            total += value;
            own.Add($"{server.Metadata.Name}={value.ToString(CultureInfo.InvariantCulture)}");
        }
        Evidence.Observed($"servers' own /metrics while the HPA did not read {settings.Metric} {state}", string.Join(", ", own));
        if (servers.Count == 0 || !expected(total / servers.Count)) return;
        var (met, seen) = await reading.ReachedAsync(ns.Cancellation);
        if (met) return;
        Assert.Fail($"the model servers' own /metrics read {settings.Metric} {state} ({string.Join(", ", own)}), yet {settings.MetricsLag.TotalSeconds:0} s " +
                    $"later (the metrics lag allowed) the HPA still reads through the metrics API {ScalingTimeline.Describe(seen.FirstOrDefault())}: the metrics API does not follow the servers (stale or missing values)");
    }

    /// <summary>The metric value the HPA last read through the metrics API (per-replica average, or value); null when none.</summary>
    private static double? ReadValue(V2HorizontalPodAutoscaler? hpa)
    {
        var read = hpa?.Status?.CurrentMetrics?.FirstOrDefault();
        var quantity = read?.Pods?.Current?.AverageValue ?? read?.External?.Current?.AverageValue ?? read?.External?.Current?.Value;
        return quantity?.ToDouble();
    }

    private static string Describe(CustomObject? scaledObject) => scaledObject is null ? "ScaledObject absent"
        : $"{scaledObject.DescribeCondition("Ready")}; {scaledObject.DescribeCondition("Active")}; hpaName={scaledObject.Status?["hpaName"]}; " +
          $"externalMetricNames={scaledObject.Status?["externalMetricNames"]?.ToJsonString()}";

    /// <summary>
    /// Conclusive without waiting: the HPA reports, in one status, that it read the metric at twice its target or more
    /// and, with scaling active, below its maximum and not limited, still recommends the current count. The
    /// recommendation is computed from that very reading (ceil(replicas x current / target)), so a working controller
    /// cannot write this.
    /// </summary>
    private static bool RefusesToScale(V2HorizontalPodAutoscaler hpa)
    {
        var status = hpa.Status;
        var seen = status?.CurrentMetrics?.FirstOrDefault();
        var read = seen?.Pods?.Current?.AverageValue ?? seen?.External?.Current?.AverageValue;
        var asked = hpa.Spec.Metrics.FirstOrDefault();
        var target = asked?.Pods?.Target?.AverageValue ?? asked?.External?.Target?.AverageValue;
        if (status is null || read is null || target is null || status.CurrentReplicas is not { } current) return false;
        bool Condition(string type, string value) => status.Conditions?.Any(c => c.Type == type && c.Status == value) == true;
        return read.ToDouble() >= 2 * target.ToDouble() && status.DesiredReplicas == current && current < hpa.Spec.MaxReplicas
               && Condition("ScalingActive", "True") && Condition("ScalingLimited", "False");
    }

    private static bool IsServer(V1Pod pod) => pod.Metadata.Labels?.TryGetValue("app", out var app) == true && app == "model-server";

    private static bool IsReadyServer(V1Pod pod) =>
        IsServer(pod) && PodWaits.IsReady(pod);

    private static V1Deployment ModelServers(string image, AcceleratorPerReplica? accelerator)
    {
        var labels = new Dictionary<string, string> { ["app"] = "model-server" };
        var spec = new V1PodSpec
        {
            TerminationGracePeriodSeconds = 5,
            AutomountServiceAccountToken = false,
            Containers =
            [
                new V1Container
                {
                    Name = "server",
                    Image = image,
                    // Each token takes 100 ms, so requests stay in flight long enough to be counted as running.
                    Command = ["aiconformance", WorkloadRoles.ServeModel, "--port", ServerPort.ToString(CultureInfo.InvariantCulture),
                        "--model", "conformance/autoscaled", "--time-per-token-ms", "100"],
                    Ports = [new V1ContainerPort { ContainerPort = ServerPort, Name = "http" }],
                    ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = ServerPort }, PeriodSeconds = 1 },
                },
            ],
        };
        accelerator?.Equip(spec);
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "model-server" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = labels,
                        // Where Prometheus (and so the metrics adapter) finds the server's metrics.
                        Annotations = new Dictionary<string, string>
                        {
                            ["prometheus.io/scrape"] = "true",
                            ["prometheus.io/port"] = ServerPort.ToString(CultureInfo.InvariantCulture),
                            ["prometheus.io/path"] = "/metrics",
                        },
                    },
                    Spec = spec,
                },
            },
        };
    }

    /// <summary>
    /// The HPA: a Pods metric through the custom metrics API, or an External metric (no selector: the series of the
    /// test's own namespace, which holds only the model servers) with the same per-replica average target.
    /// </summary>
    private static V2HorizontalPodAutoscaler Autoscaler(string metric, bool external, TimeSpan stabilization) => new()
    {
        Metadata = new V1ObjectMeta { Name = "model-server" },
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "model-server" },
            MinReplicas = 1,
            MaxReplicas = MaxReplicas,
            Metrics =
            [
                external
                    ? new V2MetricSpec
                    {
                        Type = "External",
                        External = new V2ExternalMetricSource { Metric = new V2MetricIdentifier { Name = metric }, Target = AverageOfTwo },
                    }
                    : new V2MetricSpec
                    {
                        Type = "Pods",
                        Pods = new V2PodsMetricSource { Metric = new V2MetricIdentifier { Name = metric }, Target = AverageOfTwo },
                    },
            ],
            Behavior = new V2HorizontalPodAutoscalerBehavior
            {
                ScaleDown = new V2HPAScalingRules { StabilizationWindowSeconds = (int)stabilization.TotalSeconds },
            },
        },
    };

    /// <summary>
    /// KEDA's ScaledObject for the same servers and metric: a <c>metrics-api</c> trigger reading the servers' own
    /// Prometheus exposition on every endpoint of their Service, summed, with the same per-replica average target.
    /// </summary>
    private static CustomObject ScaledObject(string url, Settings settings) => CustomObject.Named("model-server", new JsonObject
    {
        ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = "model-server" },
        ["pollingInterval"] = 2,
        ["minReplicaCount"] = 1,
        ["maxReplicaCount"] = MaxReplicas,
        ["advanced"] = new JsonObject
        {
            ["horizontalPodAutoscalerConfig"] = new JsonObject
            {
                ["behavior"] = new JsonObject { ["scaleDown"] = new JsonObject { ["stabilizationWindowSeconds"] = (int)settings.Stabilization.TotalSeconds } },
            },
        },
        ["triggers"] = new JsonArray(new JsonObject
        {
            ["type"] = "metrics-api",
            ["metricType"] = "AverageValue",
            ["metadata"] = new JsonObject
            {
                ["url"] = url,
                ["format"] = "prometheus",
                ["valueLocation"] = settings.Metric,
                ["aggregateFromKubeServiceEndpoints"] = "true",
                ["aggregationType"] = "sum",
                ["targetValue"] = "2",
            },
        }),
    });

    private static V2MetricTarget AverageOfTwo => new() { Type = "AverageValue", AverageValue = new ResourceQuantity("2") };

    private static V1Job Load(string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = "load" },
        Spec = new V1JobSpec
        {
            BackoffLimit = 0,
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "load" } },
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    AutomountServiceAccountToken = false,
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "load",
                            Image = image,
                            Command = ["aiconformance", WorkloadRoles.Load, "--url", $"http://model:{ServerPort}/v1/completions", "--method", "POST",
                                "--body", "{\"model\":\"conformance/autoscaled\",\"prompt\":\"scale me\",\"max_tokens\":16}",
                                "--requests", "1000000", "--concurrency", LoadConcurrency.ToString(CultureInfo.InvariantCulture),
                                "--duration", "900", "--disable-keepalive"],
                        },
                    ],
                },
            },
        },
    };
}
