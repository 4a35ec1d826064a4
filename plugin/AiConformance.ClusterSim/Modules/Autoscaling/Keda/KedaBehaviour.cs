using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Server;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Autoscaling.Keda;

/// <summary>
/// KEDA (needs the <c>keda-v2.20.2</c> CRDs): its operator turns each <c>keda.sh/v1alpha1</c> ScaledObject into an
/// HPA <c>keda-hpa-{name}</c> it owns, with one External metric per trigger (<c>s{index}-...</c>, selector
/// <c>scaledobject.keda.sh/name</c>) and the ScaledObject's min/max and HPA behavior, labels the ScaledObject with that
/// selector's label, polls its triggers every <c>pollingInterval</c> and writes its status (hpaName,
/// externalMetricNames, Ready, Active, Fallback); its metrics server registers <c>v1beta1.external.metrics.k8s.io</c>
/// and answers each metric from the trigger's scaler, read for real over the pod network. Only the
/// <c>metrics-api</c> scaler (prometheus format) is modelled; a ScaledObject with another trigger is not Ready.
/// </summary>
public sealed class KedaBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "keda";
    public static readonly ResourceKind ScaledObject = new("keda.sh", "v1alpha1", "ScaledObject", "scaledobjects", true);
    private const string NameLabel = "scaledobject.keda.sh/name";

    private readonly Dictionary<string, DateTime> lastPoll = [];
    private KedaOptions options = new();
    private PodSandbox? operatorPod;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [ScaledObject, HpaControllerBehaviour.Hpa];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (operatorPod is null)
        {
            options = Cluster.Options<KedaOptions>(ComponentName);
            operatorPod = new PodSandbox("keda-operator", options.Namespace, "keda-operator", "control-plane", "10.96.0.201", hostNetwork: false);
            MetricsApiService.Register(Store, MetricsAdapterBehaviour.ExternalGroup, MetricsAdapterBehaviour.ExternalVersion,
                options.Namespace, "keda-operator-metrics-apiserver", "keda-operator-metrics-apiserver");
            Cluster.AggregatedApis.Register(MetricsAdapterBehaviour.ExternalGroup, MetricsAdapterBehaviour.ExternalVersion, AnswerAsync);
        }
        var now = DateTime.UtcNow;
        var next = TimeSpan.FromSeconds(30);
        foreach (var scaled in Store.List(ScaledObject).Where(s => !s.IsDeleting()))
        {
            var interval = TimeSpan.FromSeconds(JsonNumber.Int(scaled["spec"]?["pollingInterval"]) ?? 30);
            next = interval < next ? interval : next;
            var due = !lastPoll.TryGetValue(scaled.Uid(), out var last) || now - last >= interval;
            if (due) lastPoll[scaled.Uid()] = now;
            await ReconcileAsync(scaled, due, cancellationToken);
        }
        RequeueAfter(next);
    }

    protected override void Stopped() => Cluster.AggregatedApis.Unregister(MetricsAdapterBehaviour.ExternalGroup, MetricsAdapterBehaviour.ExternalVersion);

    private async Task ReconcileAsync(JsonObject scaled, bool poll, CancellationToken cancellationToken)
    {
        var (ns, name) = (scaled.Namespace()!, scaled.Name());
        if (scaled.Label(NameLabel) != name)
            Store.Mutate(ScaledObject, ns, name, s => s.Metadata().Child("labels")[NameLabel] = name);
        var triggers = Triggers(scaled);
        var unsupported = (scaled["spec"]?["triggers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(t => (string?)t["type"] == MetricsApiTrigger.Type ? new MetricsApiTrigger(t, 0).Unsupported() : $"no scaler found for type: {t["type"]}")
            .FirstOrDefault(problem => problem is not null);
        if (unsupported is not null)
        {
            OwnedPods.WriteStatus(Store, ScaledObject, scaled, status => Conditions(status, ("Ready", "False", "ScaledObjectCheckFailed", unsupported), null));
            return;
        }
        var hpaName = $"keda-hpa-{name}";
        var desired = Hpa(scaled, hpaName, triggers);
        if (Store.Get(HpaControllerBehaviour.Hpa, ns, hpaName) is not { } hpa) Store.Create(HpaControllerBehaviour.Hpa, desired);
        else if (!JsonNode.DeepEquals(hpa["spec"], desired["spec"])) Store.Mutate(HpaControllerBehaviour.Hpa, ns, hpaName, h => h["spec"] = desired["spec"]!.DeepClone());
        bool? active = null;
        if (poll)
        {
            active = false;
            foreach (var trigger in triggers)
                if (await ReadAsync(scaled, trigger, cancellationToken) is { } value && value > trigger.Activation) active = true;
        }
        var target = scaled["spec"]?["scaleTargetRef"];
        OwnedPods.WriteStatus(Store, ScaledObject, scaled, status =>
        {
            status["hpaName"] = hpaName;
            status["externalMetricNames"] = new JsonArray([.. triggers.Select(t => (JsonNode)t.MetricName)]);
            status["scaleTargetKind"] = $"{(string?)target?["apiVersion"] ?? "apps/v1"}.{(string?)target?["kind"] ?? "Deployment"}";
            status["scaleTargetGVKR"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "Deployment", ["resource"] = "deployments" };
            Conditions(status, ("Ready", "True", "ScaledObjectReady", "ScaledObject is defined correctly and is ready for scaling"),
                active switch
                {
                    true => ("Active", "True", "ScalerActive", "Scaling is performed because triggers are active"),
                    false => ("Active", "False", "ScalerNotActive", "Scaling is not performed because triggers are not active"),
                    null => null,
                });
        });
    }

    private static List<MetricsApiTrigger> Triggers(JsonObject scaled) =>
        [.. (scaled["spec"]?["triggers"] as JsonArray ?? []).OfType<JsonObject>().Select((trigger, index) => new MetricsApiTrigger(trigger, index))];

    /// <summary>Ready and Active as given (Active unchanged when not polled), Fallback False: no fallback is configured here.</summary>
    private static void Conditions(JsonObject status, (string Type, string Status, string Reason, string Message) ready, (string Type, string Status, string Reason, string Message)? active)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        var previousActive = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Active")?.DeepClone();
        JsonObject Condition((string Type, string Status, string Reason, string Message) c) =>
            new() { ["type"] = c.Type, ["status"] = c.Status, ["reason"] = c.Reason, ["message"] = c.Message };
        status["conditions"] = new JsonArray(
            Condition(ready),
            active is { } a ? Condition(a) : previousActive ?? Condition(("Active", "Unknown", "", "")),
            Condition(("Fallback", "False", "NoFallbackFound", "No fallbacks are active on this scaled object")));
    }

    private static JsonObject Hpa(JsonObject scaled, string hpaName, IEnumerable<MetricsApiTrigger> triggers)
    {
        var (spec, name) = (scaled["spec"] as JsonObject ?? [], scaled.Name());
        var target = spec["scaleTargetRef"];
        var hpaSpec = new JsonObject
        {
            ["scaleTargetRef"] = new JsonObject
            {
                ["apiVersion"] = (string?)target?["apiVersion"] ?? "apps/v1",
                ["kind"] = (string?)target?["kind"] ?? "Deployment",
                ["name"] = (string?)target?["name"],
            },
            ["minReplicas"] = Math.Max(1, JsonNumber.Int(spec["minReplicaCount"]) ?? 0),
            ["maxReplicas"] = JsonNumber.Int(spec["maxReplicaCount"]) ?? 100,
            ["metrics"] = new JsonArray([.. triggers.Select(trigger => (JsonNode)new JsonObject
            {
                ["type"] = "External",
                ["external"] = new JsonObject
                {
                    ["metric"] = new JsonObject
                    {
                        ["name"] = trigger.MetricName,
                        ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [NameLabel] = name } },
                    },
                    ["target"] = trigger.MetricType == "Value"
                        ? new JsonObject { ["type"] = "Value", ["value"] = MetricsAdapterBehaviour.Quantity(trigger.Target) }
                        : new JsonObject { ["type"] = "AverageValue", ["averageValue"] = MetricsAdapterBehaviour.Quantity(trigger.Target) },
                },
            })]),
        };
        if (spec["advanced"]?["horizontalPodAutoscalerConfig"]?["behavior"] is JsonObject behavior) hpaSpec["behavior"] = behavior.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = "autoscaling/v2",
            ["kind"] = "HorizontalPodAutoscaler",
            ["metadata"] = new JsonObject
            {
                ["name"] = hpaName,
                ["namespace"] = scaled.Namespace(),
                ["labels"] = new JsonObject
                {
                    ["app.kubernetes.io/managed-by"] = "keda-operator",
                    ["app.kubernetes.io/name"] = hpaName,
                    ["app.kubernetes.io/part-of"] = name,
                    [NameLabel] = name,
                },
                ["ownerReferences"] = new JsonArray(Json.OwnerReference(scaled)),
            },
            ["spec"] = hpaSpec,
        };
    }

    /// <summary>A trigger's value as its scaler reads it; null (logged) when the scaler fails, as KEDA logs a scaler error.</summary>
    private async Task<double?> ReadAsync(JsonObject scaled, MetricsApiTrigger trigger, CancellationToken cancellationToken)
    {
        try
        {
            return await trigger.ValueAsync(Cluster, operatorPod!, cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UriFormatException or AiConformance.Workloads.Metrics.ExpositionFormatException)
        {
            Cluster.Log.Info(ComponentName, $"{scaled.Namespace()}/{scaled.Name()}: error getting metric {trigger.MetricName}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// The metrics server: <c>namespaces/{ns}/{metric}</c> with the HPA's metricSelector finds the one ScaledObject the
    /// selector matches and answers the trigger of that metric with an ExternalMetricValueList of its current value.
    /// </summary>
    private async Task<AggregatedResponse> AnswerAsync(AggregatedRequest request, CancellationToken cancellationToken)
    {
        if (request.Path is not ["namespaces", var ns, var metric])
            return request.Path.Count == 0 ? new AggregatedResponse(200, MetricsAdapterBehaviour.ResourceList(MetricsAdapterBehaviour.ExternalGroup, request.Version))
                : MetricsAdapterBehaviour.NotFound($"the server could not find the requested resource ({string.Join('/', request.Path)})");
        var selector = LabelSelector.Parse(request.LabelSelector);
        var matching = Store.List(ScaledObject, ns, selector.Matches).Where(s => !s.IsDeleting()).ToList();
        if (matching.Count != 1)
            return Failure($"exactly one ScaledObject should match label {request.LabelSelector}");
        if (Triggers(matching[0]).FirstOrDefault(t => t.MetricName == metric) is not { } trigger)
            return Failure($"no matching metrics found for {metric}");
        if (options.Fault is { } fault)
        {
            Cluster.Log.Info(ComponentName, $"{ns}/{matching[0].Name()}: answering {metric} without reading its trigger ({fault.Name})");
            return fault.Answer(metric);
        }
        if (await ReadAsync(matching[0], trigger, cancellationToken) is not { } value)
            return Failure($"error requesting metrics endpoint for {metric}");
        return new AggregatedResponse(200, MetricsAdapterBehaviour.ExternalMetricValueList(metric, new MetricReading(value, DateTime.UtcNow)));
    }

    private static AggregatedResponse Failure(string message) => new(500, new JsonObject
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = "InternalError", ["code"] = 500,
    });
}
