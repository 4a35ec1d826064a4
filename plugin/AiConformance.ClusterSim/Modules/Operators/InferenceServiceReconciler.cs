using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// What KServe's controller does for an InferenceService in raw deployment mode (annotation
/// <c>serving.kserve.io/deploymentMode: RawDeployment</c>, or <c>Standard</c> as newer releases call it): the predictor's
/// pod spec becomes the Deployment <c>&lt;name&gt;-predictor</c> and a Service of the same name in front of it, both
/// controlled by the InferenceService and labelled, with their pods, <c>serving.kserve.io/inferenceservice</c>,
/// <c>component: predictor</c> and <c>app: isvc.&lt;name&gt;-predictor</c>. Replicas are <c>minReplicas</c> (1 by
/// default); the HPA KServe adds for the <c>hpa</c> autoscaler class is not simulated. Status: <c>PredictorReady</c>
/// copied from the Deployment's Available condition, <c>IngressReady</c> (no ingress is created), and <c>Ready</c> once
/// both hold. Serverless mode needs Knative, which is not simulated: such InferenceServices are only told so.
/// </summary>
public static class InferenceServiceReconciler
{
    public const string NameLabel = "serving.kserve.io/inferenceservice";
    private const string DeploymentModeAnnotation = "serving.kserve.io/deploymentMode";
    private const string ModelContainer = "kserve-container";
    private const int DefaultPort = 8080;

    /// <summary>Fields of the predictor that configure KServe rather than the pod (its ComponentExtensionSpec and model specs).</summary>
    private static readonly string[] NotPodSpec =
    [
        "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType", "autoScaling", "containerConcurrency", "timeout",
        "canaryTrafficPercent", "logger", "batcher", "labels", "annotations", "deploymentStrategy", "workerSpec", "model", "storageUri", "storageUris",
    ];

    public static void Reconcile(IClusterStore store, JsonObject isvc, IOperatorFault fault)
    {
        if ((string?)isvc["metadata"]?["annotations"]?[DeploymentModeAnnotation] is not ("RawDeployment" or "Standard"))
        {
            OwnedPods.WriteStatus(store, KServeOperatorBehaviour.InferenceService, isvc, status => PodFacts.SetCondition(status, "Ready", "Unknown",
                "ServerlessModeNotSimulated", $"the simulated KServe reconciles only the raw deployment mode ({DeploymentModeAnnotation}: RawDeployment)", probeTime: false));
            return;
        }
        var (ns, name) = (isvc.Namespace(), Predictor(isvc.Name()));
        var deployment = store.Get(Kinds.Deployment, ns, name) ?? store.Create(Kinds.Deployment, NewDeployment(isvc, fault));
        if (deployment.ControllerUid() is { } controller && controller != isvc.Uid()) return;
        if (store.Get(Kinds.Service, ns, name) is null) store.Create(Kinds.Service, NewService(isvc, deployment, fault));
        OwnedPods.WriteStatus(store, KServeOperatorBehaviour.InferenceService, isvc, status => Describe(status, isvc, deployment, fault));
    }

    private static string Predictor(string isvc) => $"{isvc}-predictor";

    private static JsonObject Labels(JsonObject isvc) => new()
    {
        [NameLabel] = isvc.Name(),
        ["component"] = "predictor",
        ["app"] = $"isvc.{Predictor(isvc.Name())}",
    };

    private static JsonObject Metadata(JsonObject isvc, bool owned)
    {
        var metadata = new JsonObject { ["name"] = Predictor(isvc.Name()), ["namespace"] = isvc.Namespace(), ["labels"] = Labels(isvc) };
        if (owned) metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(isvc));
        return metadata;
    }

    private static JsonObject NewDeployment(JsonObject isvc, IOperatorFault fault)
    {
        var predictor = isvc["spec"]?["predictor"] as JsonObject ?? [];
        var podSpec = (JsonObject)predictor.DeepClone();
        foreach (var field in NotPodSpec) podSpec.Remove(field);
        foreach (var container in podSpec.Array("containers").OfType<JsonObject>().Where(c => (string?)c["name"] == ModelContainer && c["readinessProbe"] is null))
            container["readinessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = Port(isvc) }, ["periodSeconds"] = 10 };
        var metadata = Metadata(isvc, fault.OwnsWorkloads);
        metadata["annotations"] = isvc["metadata"]?["annotations"]?.DeepClone() ?? new JsonObject();
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["replicas"] = JsonNumber.Long(predictor["minReplicas"]) ?? 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = Labels(isvc)["app"]!.DeepClone() } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels(isvc), ["annotations"] = metadata["annotations"]!.DeepClone() },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    private static JsonObject NewService(JsonObject isvc, JsonObject deployment, IOperatorFault fault) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "Service",
        ["metadata"] = Metadata(isvc, fault.OwnsServices),
        ["spec"] = new JsonObject
        {
            ["selector"] = deployment["spec"]?["selector"]?["matchLabels"]?.DeepClone(),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = Port(isvc), ["protocol"] = "TCP" }),
        },
    };

    /// <summary>The model container's first declared port, else the 8080 KServe assumes.</summary>
    private static long Port(JsonObject isvc) =>
        (isvc["spec"]?["predictor"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == ModelContainer) is { } container
            ? JsonNumber.Long(container["ports"]?[0]?["containerPort"]) ?? DefaultPort
            : DefaultPort;

    private static void Describe(JsonObject status, JsonObject isvc, JsonObject deployment, IOperatorFault fault)
    {
        var available = (deployment["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Available");
        var predictorReady = fault.ReportsReady ? (string?)available?["status"] ?? "Unknown" : "Unknown";
        PodFacts.SetCondition(status, "PredictorReady", predictorReady, (string?)available?["reason"], (string?)available?["message"], probeTime: false);
        PodFacts.SetCondition(status, "IngressReady", "True", probeTime: false);
        PodFacts.SetCondition(status, "Ready", predictorReady, probeTime: false);
        var host = $"{Predictor(isvc.Name())}.{isvc.Namespace()}.svc.cluster.local";
        status["url"] = $"http://{host}";
        status["address"] = new JsonObject { ["url"] = $"http://{host}" };
        status["observedGeneration"] = JsonNumber.Long(isvc["metadata"]?["generation"]);
    }
}
