using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours.Programs;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The <c>kuberay-operator</c> component: KubeRay installed as its Helm chart with webhooks installs it (the
/// <c>kuberay-operator</c> Deployment, its webhook Service and the ValidatingWebhookConfiguration with the CA bundle
/// of the webhook's certificate); its pod serves the webhook (<see cref="RayClusterValidation"/>). While an operator
/// pod is ready, the controller reconciles every RayCluster (<see cref="RayClusterReconciler"/>). The CRDs come from
/// the scenario (<c>crds: [kuberay-v1.7.0]</c>), as a chart's <c>crds/</c> folder installs them before the chart.
/// </summary>
public sealed class KubeRayOperatorBehaviour : OperatorBehaviour<KubeRayOperatorOptions>
{
    public const string ComponentName = "kuberay-operator";
    public const string Image = "quay.io/kuberay/operator:v1.7.0";
    public const string WebhookName = "vraycluster.kb.io";
    public const string ValidatePath = "/validate-ray-io-v1-raycluster";
    public static readonly ResourceKind RayCluster = new("ray.io", "v1", "RayCluster", "rayclusters", true);

    private static readonly OperatorInstallation Chart = new(
        Deployment: ComponentName, Container: ComponentName, Image: Image,
        Labels: new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = ComponentName,
            ["app.kubernetes.io/instance"] = ComponentName,
            ["app.kubernetes.io/component"] = ComponentName,
        },
        Args: ["--feature-gates=RayClusterStatusConditions=true", "--enable-leader-election=true"], MetricsPortName: "http",
        WebhookService: "kuberay-webhook-service", WebhookConfiguration: "kuberay-validating-webhook-configuration",
        Webhooks: [new OperatorWebhook(WebhookName, RayCluster, ValidatePath)]);

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Behaviours.Kinds.Pod, Behaviours.Kinds.Service, RayCluster];

    protected override OperatorInstallation Installation => Chart;

    protected override ResourceKind Reconciled => RayCluster;

    protected override string ImagePattern => "*/kuberay/operator:*";

    protected override IContainerProgram Program() => new OperatorWebhookProgram(ValidatePath, RayClusterValidation.Deny);

    protected override void Reconcile(JsonObject resource) => RayClusterReconciler.Reconcile(Store, resource, Options.Fault);
}
