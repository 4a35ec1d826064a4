using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Programs;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The <c>training-operator</c> component: the Kubeflow training-operator (v1) installed as its manifests install it
/// (the <c>training-operator</c> Deployment in <c>kubeflow</c>, its pods labelled
/// <c>control-plane=kubeflow-training-operator</c>, the <c>training-operator</c> Service in front of its webhook server
/// and the <c>validator.training-operator.kubeflow.org</c> ValidatingWebhookConfiguration); its pod serves the
/// PyTorchJob webhook (<see cref="PyTorchJobValidation"/>). While a controller pod is ready, the controller reconciles
/// every PyTorchJob into pods and per-replica Services (<see cref="PyTorchJobReconciler"/>). Only PyTorchJobs are
/// simulated: the CRD comes from the scenario (<c>crds: [kubeflow-training-operator-v1.8]</c>), and the configuration
/// registers only the PyTorchJob validator (the real one has a validator per job kind it serves).
/// </summary>
public sealed class TrainingOperatorBehaviour : OperatorBehaviour<TrainingOperatorOptions>
{
    public const string ComponentName = "training-operator";
    public const string Image = "docker.io/kubeflow/training-operator:v1.8.1";
    public const string WebhookName = "validator.pytorchjob.training-operator.kubeflow.org";
    public const string ValidatePath = "/validate-kubeflow-org-v1-pytorchjob";
    public static readonly ResourceKind PyTorchJob = new("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs", true);

    private static readonly OperatorInstallation Manifests = new(
        Deployment: ComponentName, Container: ComponentName, Image: Image,
        Labels: new Dictionary<string, string> { ["control-plane"] = "kubeflow-training-operator" },
        Args: [], MetricsPortName: "monitoring-port",
        WebhookService: ComponentName, WebhookConfiguration: "validator.training-operator.kubeflow.org",
        Webhooks: [new OperatorWebhook(WebhookName, PyTorchJob, ValidatePath)]);

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.Service, PyTorchJob];

    protected override OperatorInstallation Installation => Manifests;

    protected override ResourceKind Reconciled => PyTorchJob;

    protected override string ImagePattern => "*/kubeflow/training-operator:*";

    protected override IContainerProgram Program() => new OperatorWebhookProgram(ValidatePath, job => PyTorchJobValidation.Deny(job, Options.Fault));

    protected override void Reconcile(JsonObject resource) => PyTorchJobReconciler.Reconcile(Store, resource, Options.Fault);
}

/// <summary>
/// Options of the <c>training-operator</c> component: the namespace the operator is installed in (the manifests'
/// <c>kubeflow</c> by default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record TrainingOperatorOptions(string Namespace, IOperatorFault Fault) : IComponentOptions<TrainingOperatorOptions>, IOperatorOptions
{
    public static TrainingOperatorOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "kubeflow"),
        options.Fault<IOperatorFault>(OperatorFaults.TrainingOperatorCatalog, OperatorFaults.Working));
}
