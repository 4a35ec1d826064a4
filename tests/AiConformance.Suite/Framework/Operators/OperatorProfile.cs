namespace AiConformance.Suite.Framework.Operators;

/// <summary>
/// What identifies an AI operator in a cluster: the CRDs it installs (the first is the one it must serve), the labels
/// of its controller's pods as its Helm chart or manifests set them, and its API group (which its admission webhooks'
/// rules name). <see cref="Driver"/> is how the fixture exercises its resources; null where this suite drives none yet.
/// </summary>
public sealed record OperatorProfile(string Name, string Group, IReadOnlyList<string> Crds, IReadOnlyList<string> PodSelectors, string What)
{
    public IOperatorDriver? Driver { get; init; }

    /// <summary>Whether a validating webhook's rules name this operator's API group.</summary>
    public bool IsValidatedBy(k8s.Models.V1ValidatingWebhook webhook) => (webhook.Rules ?? []).Any(rule => (rule.ApiGroups ?? []).Contains(Group));

    public static readonly OperatorProfile KubeRay = new("KubeRay", "ray.io",
        ["rayclusters.ray.io", "rayjobs.ray.io", "rayservices.ray.io"], ["app.kubernetes.io/name=kuberay-operator"], "Ray clusters and jobs")
    {
        Driver = new RayClusterDriver(),
    };

    public static readonly OperatorProfile KubeflowTrainer = new("KubeflowTrainer", "trainer.kubeflow.org",
        ["trainjobs.trainer.kubeflow.org", "clustertrainingruntimes.trainer.kubeflow.org", "trainingruntimes.trainer.kubeflow.org"],
        ["app.kubernetes.io/name=trainer", "app.kubernetes.io/name=kubeflow-trainer"], "Kubeflow Trainer TrainJobs")
    {
        Driver = new TrainJobDriver(),
    };

    public static readonly OperatorProfile LeaderWorkerSet = new("LeaderWorkerSet", "leaderworkerset.x-k8s.io",
        ["leaderworkersets.leaderworkerset.x-k8s.io"], ["app.kubernetes.io/name=lws"], "LeaderWorkerSets")
    {
        Driver = new LeaderWorkerSetDriver(),
    };

    public static readonly OperatorProfile TrainingOperator = new("TrainingOperator", "kubeflow.org",
        ["pytorchjobs.kubeflow.org", "tfjobs.kubeflow.org", "mpijobs.kubeflow.org"], ["control-plane=kubeflow-training-operator"],
        "Kubeflow training-operator jobs")
    {
        Driver = new PyTorchJobDriver(),
    };

    public static readonly OperatorProfile KServe = new("KServe", "serving.kserve.io",
        ["inferenceservices.serving.kserve.io", "servingruntimes.serving.kserve.io"], ["control-plane=kserve-controller-manager"],
        "KServe InferenceServices")
    {
        Driver = new InferenceServiceDriver(),
    };

    public static IReadOnlyList<OperatorProfile> Known { get; } = [KubeRay, KubeflowTrainer, LeaderWorkerSet, TrainingOperator, KServe];
}
