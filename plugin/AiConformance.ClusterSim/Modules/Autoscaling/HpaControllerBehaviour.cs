using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Server;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The horizontal pod autoscaler controller (kube-controller-manager's): every sync period it reads each
/// <c>autoscaling/v2</c> HPA's Pods metrics through the custom metrics API and its External metrics through the
/// external metrics API (the aggregation layer, as the real controller's REST clients do), computes each metric's
/// proposal as the controller's replica calculator does (unless the usage ratio is within the 0.1 tolerance), takes
/// the highest of its metrics, applies the stabilization windows and the behavior's rate
/// policies, clamps to min/max and scales the Deployment; the HPA's status says what it saw and did.
/// </summary>
public sealed class HpaControllerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "horizontal-pod-autoscaler";
    public static readonly ResourceKind Hpa = new("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true);
    private const double Tolerance = 0.1;

    private readonly Dictionary<string, List<(DateTime At, int Replicas)>> recommendations = [];
    private readonly Dictionary<string, List<(DateTime At, int Change)>> scaleEvents = [];
    private readonly Dictionary<string, DateTime> lastSync = [];
    private HpaControllerOptions? options;
    private readonly HashSet<string> refused = [];

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Hpa];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var options = this.options ??= Cluster.Options<HpaControllerOptions>(ComponentName);
        var now = DateTime.UtcNow;
        foreach (var hpa in Store.List(Hpa).Where(h => !h.IsDeleting()))
        {
            var key = hpa.Uid();
            if (lastSync.TryGetValue(key, out var last) && now - last < options.SyncPeriod) continue;
            lastSync[key] = now;
            await SyncAsync(hpa, key, now, cancellationToken);
        }
        RequeueAfter(options.SyncPeriod);
    }

    private async Task SyncAsync(JsonObject hpa, string key, DateTime now, CancellationToken cancellationToken)
    {
        var spec = hpa["spec"] as JsonObject ?? [];
        var target = spec["scaleTargetRef"] as JsonObject ?? [];
        if ((string?)target["kind"] != "Deployment" || Store.Get(Kinds.Deployment, hpa.Namespace(), (string?)target["name"] ?? "") is not { } deployment)
        {
            WriteStatus(hpa, null, null, [], ("AbleToScale", "False", "FailedGetScale", $"the HPA controller was unable to get the target's current scale: {target["kind"]} \"{target["name"]}\" not found"));
            return;
        }
        var current = JsonNumber.Int(deployment["spec"]?["replicas"]) ?? 1;
        if (current == 0)
        {
            WriteStatus(hpa, current, current, [], ("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero"));
            return;
        }
        var selector = LabelSelector.FromLabelSelector(deployment["spec"]?["selector"]);
        var proposals = new List<(int Replicas, string Metric)>();
        var currentMetrics = new JsonArray();
        (string Reason, string Message)? failure = null;
        foreach (var metric in (spec["metrics"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var proposal = await ProposeAsync(hpa.Namespace()!, metric, selector, current, cancellationToken);
            if (proposal.Observed is not null) currentMetrics.Add(proposal.Observed);
            if (proposal.Replicas is { } replicas) proposals.Add((replicas, proposal.Metric));
            else failure ??= proposal.Problem;
        }
        if (proposals.Count == 0)
        {
            WriteStatus(hpa, current, current, currentMetrics, ("ScalingActive", "False", failure?.Reason ?? "FailedGetPodsMetric", failure?.Message ?? "no metric could be read"));
            return;
        }
        var highest = proposals.MaxBy(proposal => proposal.Replicas);
        var min = JsonNumber.Int(spec["minReplicas"]) ?? 1;
        var max = JsonNumber.Int(spec["maxReplicas"]) ?? current;
        var desired = Stabilized(key, current, highest.Replicas, now, spec["behavior"] as JsonObject);
        desired = RateLimited(key, current, desired, now, spec["behavior"] as JsonObject);
        var limited = desired < min || desired > max;
        desired = Math.Clamp(desired, min, max);
        if (desired != current && options!.Fault?.Refuses(deployment) == true)
        {
            if (refused.Add(key))
                Cluster.Log.Info(ComponentName, $"{hpa.Namespace()}/{hpa.Name()}: not scaling {deployment.Name()} from {current} to {desired} ({IgnoresAcceleratorPodsFault.Name})");
            desired = current;
        }
        if (desired != current)
        {
            Store.Mutate(Kinds.Deployment, deployment.Namespace(), deployment.Name(), d => d.Child("spec")["replicas"] = desired);
            Events(key).Add((now, desired - current));
            Cluster.Events.Record(hpa, Hpa, "Normal", "SuccessfulRescale", $"New size: {desired}; reason: {(desired > current ? $"{highest.Metric} above target" : "All metrics below target")}", ComponentName);
        }
        WriteStatus(hpa, current, desired, currentMetrics,
            ("ScalingActive", "True", "ValidMetricFound", $"the HPA was able to successfully calculate a replica count from {highest.Metric}"),
            limited ? ("ScalingLimited", "True", "TooManyReplicas", "the desired replica count is outside the min/max range") : null,
            desired != current ? now : null);
    }

    /// <summary>What one metric asks for: a replica count and the metric as observed, or why it could not be read.</summary>
    private sealed record Proposal(int? Replicas, string Metric, JsonObject? Observed, (string Reason, string Message)? Problem)
    {
        public static Proposal Failed(string metric, string reason, string message) => new(null, metric, null, (reason, message));
    }

    private Task<Proposal> ProposeAsync(string ns, JsonObject metric, LabelSelector selector, int current, CancellationToken cancellationToken) =>
        ((string?)metric["type"], metric["pods"], metric["external"]) switch
        {
            ("Pods", JsonObject pods, _) => ProposeFromPodsAsync(ns, pods, selector, current, cancellationToken),
            ("External", _, JsonObject external) => ProposeFromExternalAsync(ns, external, selector, current, cancellationToken),
            var (type, _, _) => Task.FromResult(Proposal.Failed($"{type} metric", "InvalidMetricSourceType", $"metric type {type} is not served by this cluster's metrics APIs")),
        };

    /// <summary>A Pods metric: <c>ceil(pods x average / target)</c> over the pods the custom metrics API reports.</summary>
    private async Task<Proposal> ProposeFromPodsAsync(string ns, JsonObject pods, LabelSelector selector, int current, CancellationToken cancellationToken)
    {
        var name = (string?)pods["metric"]?["name"] ?? "";
        var described = $"pods metric {name}";
        var targetValue = ParseQuantity(pods["target"]?["averageValue"]?.ToString());
        if (targetValue is not > 0) return Proposal.Failed(described, "FailedGetPodsMetric", $"pods metric {name} has no averageValue target");
        var request = new AggregatedRequest(MetricsAdapterBehaviour.Group, "v1beta2", ["namespaces", ns, "pods", "*", name], selector.ToString());
        if (Cluster.AggregatedApis.Forward(request, cancellationToken) is not { } answering)
            return Proposal.Failed(described, "FailedGetPodsMetric", $"unable to get metric {name}: the server could not find the requested resource (get pods.custom.metrics.k8s.io *)");
        var answer = await answering;
        if (answer.Status != 200)
            return Proposal.Failed(described, "FailedGetPodsMetric", $"unable to get metric {name}: {(string?)answer.Body["message"]}");
        var values = Values(answer.Body);
        if (values.Count == 0) return Proposal.Failed(described, "FailedGetPodsMetric", $"unable to get metric {name}: no pod reports it");
        var average = values.Average();
        var observed = new JsonObject
        {
            ["type"] = "Pods",
            ["pods"] = new JsonObject
            {
                ["metric"] = new JsonObject { ["name"] = name },
                ["current"] = new JsonObject { ["averageValue"] = MetricsAdapterBehaviour.Quantity(average) },
            },
        };
        var ratio = average / targetValue.Value;
        if (Math.Abs(ratio - 1.0) <= Tolerance) return new Proposal(current, described, observed, null);
        return new Proposal((int)Math.Ceiling(ratio * values.Count), described, observed, null);
    }

    /// <summary>
    /// An External metric, as the replica calculator computes it: the values the external metrics API returns for the
    /// metric and its selector are summed; an <c>AverageValue</c> target asks for <c>ceil(sum / target)</c> (unless
    /// <c>sum / (target x current)</c> is within tolerance), a <c>Value</c> target for <c>ceil(ready pods x sum / target)</c>.
    /// </summary>
    private async Task<Proposal> ProposeFromExternalAsync(string ns, JsonObject external, LabelSelector podSelector, int current, CancellationToken cancellationToken)
    {
        var name = (string?)external["metric"]?["name"] ?? "";
        var metricSelector = LabelSelector.FromLabelSelector(external["metric"]?["selector"]);
        var described = $"external metric {name}({metricSelector})";
        var target = external["target"] as JsonObject ?? [];
        var averageTarget = ParseQuantity(target["averageValue"]?.ToString());
        var valueTarget = ParseQuantity(target["value"]?.ToString());
        if (averageTarget is not > 0 && valueTarget is not > 0)
            return Proposal.Failed(described, "FailedGetExternalMetric", $"external metric {name} has no value or averageValue target");
        var unable = $"the HPA was unable to compute the replica count: unable to get external metric {ns}/{name}/{metricSelector}";
        var request = new AggregatedRequest(MetricsAdapterBehaviour.ExternalGroup, MetricsAdapterBehaviour.ExternalVersion, ["namespaces", ns, name], metricSelector.ToString());
        if (Cluster.AggregatedApis.Forward(request, cancellationToken) is not { } answering)
            return Proposal.Failed(described, "FailedGetExternalMetric", $"{unable}: the server could not find the requested resource (get {name}.external.metrics.k8s.io)");
        var answer = await answering;
        if (answer.Status != 200)
            return Proposal.Failed(described, "FailedGetExternalMetric", $"{unable}: {(string?)answer.Body["message"]}");
        var values = Values(answer.Body);
        if (values.Count == 0) return Proposal.Failed(described, "FailedGetExternalMetric", $"{unable}: no metrics returned from external metrics API");
        var usage = values.Sum();
        var observed = new JsonObject
        {
            ["type"] = "External",
            ["external"] = new JsonObject
            {
                ["metric"] = external["metric"]!.DeepClone(),
                ["current"] = averageTarget is > 0
                    ? new JsonObject { ["averageValue"] = MetricsAdapterBehaviour.Quantity(usage / current) }
                    : new JsonObject { ["value"] = MetricsAdapterBehaviour.Quantity(usage) },
            },
        };
        if (averageTarget is { } perPod and > 0)
        {
            var ratio = usage / (perPod * current);
            return new Proposal(Math.Abs(ratio - 1.0) <= Tolerance ? current : (int)Math.Ceiling(usage / perPod), described, observed, null);
        }
        var usageRatio = usage / valueTarget!.Value;
        if (Math.Abs(usageRatio - 1.0) <= Tolerance) return new Proposal(current, described, observed, null);
        var ready = Store.List(Kinds.Pod, ns, pod => podSelector.Matches(pod) && pod.IsReady() && !pod.IsDeleting()).Count;
        return new Proposal((int)Math.Ceiling(usageRatio * ready), described, observed, null);
    }

    /// <summary>The values of a MetricValueList or ExternalMetricValueList.</summary>
    private static List<double> Values(JsonNode body) =>
        (body["items"] as JsonArray ?? []).OfType<JsonObject>().Select(item => ParseQuantity((string?)item["value"])).OfType<double>().ToList();

    /// <summary>
    /// The stabilization windows, as the controller applies them: it scales up only to the lowest recommendation of
    /// the scale-up window (default 0 s) and down only to the highest of the scale-down window (default 300 s).
    /// </summary>
    private int Stabilized(string key, int current, int proposal, DateTime now, JsonObject? behavior)
    {
        var downWindow = TimeSpan.FromSeconds(JsonNumber.Int(behavior?["scaleDown"]?["stabilizationWindowSeconds"]) ?? 300);
        var upWindow = TimeSpan.FromSeconds(JsonNumber.Int(behavior?["scaleUp"]?["stabilizationWindowSeconds"]) ?? 0);
        if (!recommendations.TryGetValue(key, out var history)) recommendations[key] = history = [];
        var up = proposal;
        var down = proposal;
        foreach (var (at, replicas) in history)
        {
            if (now - at <= upWindow) up = Math.Min(up, replicas);
            if (now - at <= downWindow) down = Math.Max(down, replicas);
        }
        history.Add((now, proposal));
        history.RemoveAll(entry => now - entry.At > (downWindow > upWindow ? downWindow : upWindow));
        var recommendation = current;
        if (recommendation < up) recommendation = up;
        if (recommendation > down) recommendation = down;
        return recommendation;
    }

    /// <summary>The behavior's policies: how many replicas may be added or removed per period (defaults as the API's).</summary>
    private int RateLimited(string key, int current, int desired, DateTime now, JsonObject? behavior)
    {
        if (desired == current) return current;
        var up = desired > current;
        var rules = behavior?[up ? "scaleUp" : "scaleDown"] as JsonObject;
        var select = (string?)rules?["selectPolicy"] ?? "Max";
        if (select == "Disabled") return current;
        var policies = (rules?["policies"] as JsonArray)?.OfType<JsonObject>()
            .Select(p => ((string?)p["type"] ?? "Pods", JsonNumber.Int(p["value"]) ?? 0, JsonNumber.Int(p["periodSeconds"]) ?? 15)).ToList();
        if (policies is not { Count: > 0 })
            policies = up ? [("Pods", 4, 15), ("Percent", 100, 15)] : [("Percent", 100, 15)];
        var history = Events(key);
        var limits = policies.Select(policy =>
        {
            var changed = history.Where(e => now - e.At <= TimeSpan.FromSeconds(policy.Item3) && (e.Change > 0) == up).Sum(e => Math.Abs(e.Change));
            var start = up ? current - changed : current + changed;
            return (policy.Item1, up) switch
            {
                ("Pods", true) => start + policy.Item2,
                ("Percent", true) => (int)Math.Ceiling(start * (1 + policy.Item2 / 100.0)),
                ("Pods", false) => start - policy.Item2,
                _ => (int)Math.Floor(start * (1 - policy.Item2 / 100.0)),
            };
        }).ToList();
        // "Max" allows the largest change, "Min" the smallest.
        var limit = up ? (select == "Min" ? limits.Min() : limits.Max()) : (select == "Min" ? limits.Max() : limits.Min());
        return up ? Math.Min(desired, Math.Max(limit, current)) : Math.Max(desired, Math.Min(limit, current));
    }

    private List<(DateTime At, int Change)> Events(string key)
    {
        if (!scaleEvents.TryGetValue(key, out var list)) scaleEvents[key] = list = [];
        list.RemoveAll(e => DateTime.UtcNow - e.At > TimeSpan.FromMinutes(30));
        return list;
    }

    private void WriteStatus(JsonObject hpa, int? current, int? desired, JsonArray metrics,
        (string Type, string Status, string Reason, string Message)? condition,
        (string Type, string Status, string Reason, string Message)? extra = null, DateTime? scaled = null)
    {
        Store.Mutate(Hpa, hpa.Namespace(), hpa.Name(), h =>
        {
            var status = h.Child("status");
            if (current is { } c) status["currentReplicas"] = c;
            if (desired is { } d) status["desiredReplicas"] = d;
            status["currentMetrics"] = metrics.DeepClone();
            if (scaled is { } at) status["lastScaleTime"] = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            status["observedGeneration"] = JsonNumber.Long(h["metadata"]?["generation"]) ?? 1;
            PodFacts.SetCondition(status, "AbleToScale", condition?.Type == "AbleToScale" ? condition.Value.Status : "True",
                condition?.Type == "AbleToScale" ? condition.Value.Reason : "ReadyForNewScale",
                condition?.Type == "AbleToScale" ? condition.Value.Message : "recommended size matches current size", probeTime: false);
            if (condition is { Type: not "AbleToScale" } active)
                PodFacts.SetCondition(status, active.Type, active.Status, active.Reason, active.Message, probeTime: false);
            PodFacts.SetCondition(status, "ScalingLimited", extra?.Status ?? "False", extra?.Reason ?? "DesiredWithinRange",
                extra?.Message ?? "the desired count is within the acceptable range", probeTime: false);
        }, statusOnly: true);
    }

    /// <summary>A quantity ("3", "1500m", "2k") as a number; null when it is not one.</summary>
    public static double? ParseQuantity(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var (digits, factor) = text[^1] switch
        {
            'm' => (text[..^1], 0.001),
            'k' => (text[..^1], 1000.0),
            'M' => (text[..^1], 1_000_000.0),
            _ => (text, 1.0),
        };
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value * factor : null;
    }
}
