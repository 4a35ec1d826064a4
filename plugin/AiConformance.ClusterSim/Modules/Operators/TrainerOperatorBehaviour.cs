using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Programs;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The <c>trainer-operator</c> component: Kubeflow Trainer v2 installed as its Helm chart installs it (the
/// <c>kubeflow-trainer-controller-manager</c> Deployment in <c>kubeflow-system</c>, its pods labelled
/// <c>app.kubernetes.io/name=trainer</c>, the webhook Service of the same name and the
/// <c>validator.trainer.kubeflow.org</c> ValidatingWebhookConfiguration of its runtime and TrainJob validators); its pod
/// serves the webhooks (<see cref="TrainerValidation"/>). While a controller pod is ready, the controller builds every
/// TrainJob into a JobSet (<see cref="TrainJobReconciler"/>), and the JobSet controller the chart ships with it builds
/// every JobSet into Jobs (<see cref="JobSetReconciler"/>), whose pods the Job controller creates. The CRDs come from
/// the scenario (<c>crds: [kubeflow-trainer-v2.3.0]</c>).
/// </summary>
public sealed class TrainerOperatorBehaviour : OperatorBehaviour<TrainerOperatorOptions>
{
    public const string ComponentName = "trainer-operator";
    public const string Image = "ghcr.io/kubeflow/trainer/trainer-controller-manager:v2.3.0";
    private const string Group = "trainer.kubeflow.org";
    private const string PathPrefix = "/validate-trainer-kubeflow-org-v1alpha1-";
    public static readonly ResourceKind TrainJob = new(Group, "v1alpha1", "TrainJob", "trainjobs", true);
    public static readonly ResourceKind TrainingRuntime = new(Group, "v1alpha1", "TrainingRuntime", "trainingruntimes", true);
    public static readonly ResourceKind ClusterTrainingRuntime = new(Group, "v1alpha1", "ClusterTrainingRuntime", "clustertrainingruntimes", false);
    public static readonly ResourceKind JobSet = new("jobset.x-k8s.io", "v1alpha2", "JobSet", "jobsets", true);

    private static readonly OperatorInstallation Chart = new(
        Deployment: "kubeflow-trainer-controller-manager", Container: "manager", Image: Image,
        Labels: new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "trainer",
            ["app.kubernetes.io/instance"] = "kubeflow-trainer",
            ["app.kubernetes.io/component"] = "manager",
            ["app.kubernetes.io/part-of"] = "kubeflow",
        },
        Args: [], MetricsPortName: "metrics",
        WebhookService: "kubeflow-trainer-controller-manager", WebhookConfiguration: "validator.trainer.kubeflow.org",
        Webhooks:
        [
            new OperatorWebhook("validator.clustertrainingruntime.trainer.kubeflow.org", ClusterTrainingRuntime, PathPrefix + "clustertrainingruntime"),
            new OperatorWebhook("validator.trainingruntime.trainer.kubeflow.org", TrainingRuntime, PathPrefix + "trainingruntime"),
            new OperatorWebhook("validator.trainjob.trainer.kubeflow.org", TrainJob, PathPrefix + "trainjob"),
        ]);

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.Service, Kinds.Job, TrainJob, TrainingRuntime, ClusterTrainingRuntime, JobSet];

    protected override OperatorInstallation Installation => Chart;

    protected override ResourceKind Reconciled => TrainJob;

    protected override string ImagePattern => "*/kubeflow/trainer/trainer-controller-manager:*";

    protected override IContainerProgram Program() => new OperatorWebhookProgram(
        (PathPrefix + "clustertrainingruntime", (runtime, _) => TrainerValidation.DenyRuntime(runtime)),
        (PathPrefix + "trainingruntime", (runtime, _) => TrainerValidation.DenyRuntime(runtime)),
        (PathPrefix + "trainjob", (trainJob, admission) => TrainerValidation.DenyTrainJob(Store, trainJob, (string?)admission["namespace"] ?? trainJob.Namespace(), Options.Fault)));

    protected override void Reconcile(JsonObject resource) => TrainJobReconciler.Reconcile(Store, resource, Options.Fault);

    protected override void ReconcileCompanions()
    {
        foreach (var jobSet in Store.List(JobSet).Where(js => !js.IsDeleting())) JobSetReconciler.Reconcile(Store, jobSet, Options.Fault);
    }
}

/// <summary>
/// Options of the <c>trainer-operator</c> component: the namespace the operator is installed in (the chart's
/// <c>kubeflow-system</c> by default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record TrainerOperatorOptions(string Namespace, IOperatorFault Fault) : IComponentOptions<TrainerOperatorOptions>, IOperatorOptions
{
    public static TrainerOperatorOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "kubeflow-system"),
        options.Fault<IOperatorFault>(OperatorFaults.TrainerCatalog, OperatorFaults.Working));
}
