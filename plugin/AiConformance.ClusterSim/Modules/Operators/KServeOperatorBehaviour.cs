using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Programs;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The <c>kserve</c> component: KServe's controller as its manifests install it (the <c>kserve-controller-manager</c>
/// Deployment in <c>kserve</c>, its pods labelled <c>control-plane=kserve-controller-manager</c>, the webhook Service
/// <c>kserve-webhook-server-service</c> and the <c>inferenceservice.serving.kserve.io</c> ValidatingWebhookConfiguration
/// with the <c>inferenceservice.kserve-webhook-server.validator</c> webhook); its pod serves that webhook
/// (<see cref="KServeValidation"/>). While a controller pod is ready, it reconciles InferenceServices in raw deployment
/// mode into a Deployment and a Service (<see cref="InferenceServiceReconciler"/>). Not simulated: the mutating
/// defaulter and pod-mutator webhooks, serverless (Knative) mode, ServingRuntimes and model storage. The CRDs come
/// from the scenario (<c>crds: [kserve]</c>).
/// </summary>
public sealed class KServeOperatorBehaviour : OperatorBehaviour<KServeOperatorOptions>
{
    public const string ComponentName = "kserve";
    public const string Image = "kserve/kserve-controller:v0.15.2";
    private const string ValidatePath = "/validate-serving-kserve-io-v1beta1-inferenceservice";
    public static readonly ResourceKind InferenceService = new("serving.kserve.io", "v1beta1", "InferenceService", "inferenceservices", true);

    private static readonly OperatorInstallation Manifests = new(
        Deployment: "kserve-controller-manager", Container: "manager", Image: Image,
        Labels: new Dictionary<string, string> { ["control-plane"] = "kserve-controller-manager", ["controller-tools.k8s.io"] = "1.0" },
        Args: ["--metrics-addr=127.0.0.1:8080", "--leader-elect"], MetricsPortName: "metrics",
        WebhookService: "kserve-webhook-server-service", WebhookConfiguration: "inferenceservice.serving.kserve.io",
        Webhooks: [new OperatorWebhook("inferenceservice.kserve-webhook-server.validator", InferenceService, ValidatePath)]);

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.Service, Kinds.Deployment, InferenceService];

    protected override OperatorInstallation Installation => Manifests;

    protected override ResourceKind Reconciled => InferenceService;

    protected override string ImagePattern => "*kserve/kserve-controller:*";

    protected override IContainerProgram Program() => new OperatorWebhookProgram(ValidatePath, isvc => KServeValidation.DenyInferenceService(isvc, Options.Fault));

    protected override void Reconcile(JsonObject resource) => InferenceServiceReconciler.Reconcile(Store, resource, Options.Fault);
}

/// <summary>
/// Options of the <c>kserve</c> component: the namespace KServe is installed in (<c>kserve</c> by default) and, for
/// broken scenarios, the fault it has.
/// </summary>
public sealed record KServeOperatorOptions(string Namespace, IOperatorFault Fault) : IComponentOptions<KServeOperatorOptions>, IOperatorOptions
{
    public static KServeOperatorOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "kserve"),
        options.Fault<IOperatorFault>(OperatorFaults.KServeCatalog, OperatorFaults.Working));
}
