using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Server;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The horizontal pod autoscaler controller (kube-controller-manager's): every sync period it reads each
/// <c>autoscaling/v2</c> HPA's Pods metrics through the custom metrics API (the aggregation layer, as the real
/// controller's REST client does), computes <c>ceil(ready pods x current / target)</c> unless the ratio is within the
/// 0.1 tolerance, takes the highest of its metrics, applies the stabilization windows and the behavior's rate
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
        var proposals = new List<int>();
        var currentMetrics = new JsonArray();
        string? failure = null;
        foreach (var metric in (spec["metrics"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var (proposal, observed, problem) = await ProposeAsync(hpa.Namespace()!, metric, selector, current, cancellationToken);
            if (observed is not null) currentMetrics.Add(observed);
            if (proposal is { } replicas) proposals.Add(replicas);
            else failure ??= problem;
        }
        if (proposals.Count == 0)
        {
            WriteStatus(hpa, current, current, currentMetrics, ("ScalingActive", "False", "FailedGetPodsMetric", failure ?? "no metric could be read"));
            return;
        }
        var min = JsonNumber.Int(spec["minReplicas"]) ?? 1;
        var max = JsonNumber.Int(spec["maxReplicas"]) ?? current;
        var desired = Stabilized(key, current, proposals.Max(), now, spec["behavior"] as JsonObject);
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
            Cluster.Events.Record(hpa, Hpa, "Normal", "SuccessfulRescale", $"New size: {desired}; reason: {(desired > current ? "pods metric above target" : "All metrics below target")}", ComponentName);
        }
        WriteStatus(hpa, current, desired, currentMetrics,
            ("ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from pods metric"),
            limited ? ("ScalingLimited", "True", "TooManyReplicas", "the desired replica count is outside the min/max range") : null,
            desired != current ? now : null);
    }

    /// <summary>The replica count one Pods metric asks for, the metric as observed, or why it could not be read.</summary>
    private async Task<(int? Replicas, JsonObject? Observed, string? Problem)> ProposeAsync(string ns, JsonObject metric, LabelSelector selector, int current, CancellationToken cancellationToken)
    {
        if ((string?)metric["type"] != "Pods" || metric["pods"] is not JsonObject pods)
            return (null, null, $"metric type {(string?)metric["type"]} is not served by this cluster's metrics APIs");
        var name = (string?)pods["metric"]?["name"] ?? "";
        var targetValue = ParseQuantity((string?)pods["target"]?["averageValue"] ?? pods["target"]?["averageValue"]?.ToString());
        if (targetValue is not > 0) return (null, null, $"pods metric {name} has no averageValue target");
        var request = new AggregatedRequest(MetricsAdapterBehaviour.Group, "v1beta2", ["namespaces", ns, "pods", "*", name], selector.ToString());
        if (Cluster.AggregatedApis.Forward(request, cancellationToken) is not { } answering)
            return (null, null, $"unable to get metric {name}: the server could not find the requested resource (get pods.custom.metrics.k8s.io *)");
        var answer = await answering;
        if (answer.Status != 200)
            return (null, null, $"unable to get metric {name}: {(string?)answer.Body["message"]}");
        var values = (answer.Body["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(item => ParseQuantity((string?)item["value"])).OfType<double>().ToList();
        if (values.Count == 0) return (null, null, $"unable to get metric {name}: no pod reports it");
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
        if (Math.Abs(ratio - 1.0) <= Tolerance) return (current, observed, null);
        return ((int)Math.Ceiling(ratio * values.Count), observed, null);
    }

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
