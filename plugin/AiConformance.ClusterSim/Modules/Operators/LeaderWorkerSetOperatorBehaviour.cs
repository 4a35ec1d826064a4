using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Programs;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The <c>lws-operator</c> component: LeaderWorkerSet installed as its Helm chart installs it (the
/// <c>lws-controller-manager</c> Deployment in <c>lws-system</c>, its pods labelled <c>app.kubernetes.io/name=lws</c>,
/// the <c>lws-webhook-service</c> Service and the ValidatingWebhookConfiguration of <c>vleaderworkerset.kb.io</c>);
/// its pod serves the webhook (<see cref="LeaderWorkerSetValidation"/>). While an operator pod is ready, the controller
/// reconciles every LeaderWorkerSet (<see cref="LeaderWorkerSetReconciler"/>). The CRD comes from the scenario
/// (<c>crds: [lws-v0.10.0]</c>).
/// </summary>
public sealed class LeaderWorkerSetOperatorBehaviour : OperatorBehaviour<LeaderWorkerSetOperatorOptions>
{
    public const string ComponentName = "lws-operator";
    public const string Image = "registry.k8s.io/lws/lws:v0.10.0";
    public const string WebhookName = "vleaderworkerset.kb.io";
    public const string ValidatePath = "/validate-leaderworkerset-x-k8s-io-v1-leaderworkerset";
    public static readonly ResourceKind LeaderWorkerSet = new("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet", "leaderworkersets", true);

    private static readonly OperatorInstallation Chart = new(
        Deployment: "lws-controller-manager", Container: "manager", Image: Image,
        Labels: new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "lws",
            ["app.kubernetes.io/instance"] = "lws",
            ["control-plane"] = "controller-manager",
        },
        Args: ["--config=/controller_manager_config.yaml", "--zap-log-level=2"], MetricsPortName: "metrics",
        WebhookService: "lws-webhook-service", WebhookConfiguration: "lws-validating-webhook-configuration",
        Webhooks: [new OperatorWebhook(WebhookName, LeaderWorkerSet, ValidatePath)]);

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.Service, Kinds.StatefulSet, LeaderWorkerSet];

    protected override OperatorInstallation Installation => Chart;

    protected override ResourceKind Reconciled => LeaderWorkerSet;

    protected override string ImagePattern => "*/lws/lws:*";

    protected override IContainerProgram Program() => new OperatorWebhookProgram(ValidatePath, LeaderWorkerSetValidation.Deny);

    protected override void Reconcile(JsonObject resource) => LeaderWorkerSetReconciler.Reconcile(Store, resource, Options.Fault);
}

/// <summary>
/// Options of the <c>lws-operator</c> component: the namespace the operator is installed in (the chart's
/// <c>lws-system</c> by default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record LeaderWorkerSetOperatorOptions(string Namespace, IOperatorFault Fault) : IComponentOptions<LeaderWorkerSetOperatorOptions>, IOperatorOptions
{
    public static LeaderWorkerSetOperatorOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "lws-system"),
        options.Fault<IOperatorFault>(OperatorFaults.LeaderWorkerSetCatalog, OperatorFaults.Working));
}
