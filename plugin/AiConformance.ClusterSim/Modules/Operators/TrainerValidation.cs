using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The checks of Kubeflow Trainer's validators that the CRD schemas cannot make. A TrainJob's runtimeRef must name a
/// runtime that exists (pkg/runtime/core: the TrainingRuntime in the TrainJob's namespace, or the
/// ClusterTrainingRuntime); a runtime's replicatedJob labelled as the trainer step must have one replica and a
/// container named <c>node</c> (pkg/webhooks/trainingruntime_webhook.go). Denied as <see cref="OperatorWebhookProgram.Denial"/> words it.
/// </summary>
public static class TrainerValidation
{
    public const string AncestorLabel = "trainer.kubeflow.org/trainjob-ancestor-step";
    public const string TrainerStep = "trainer";
    public const string NodeContainer = "node";

    /// <summary>The TrainJob validator: its runtime, looked up as the controller's client reads it.</summary>
    public static JsonObject? DenyTrainJob(IClusterStore store, JsonObject trainJob, string? ns, IOperatorFault fault)
    {
        if (!fault.ChecksReferences) return null;
        var reference = trainJob["spec"]?["runtimeRef"] as JsonObject ?? [];
        var name = reference.Str("name") ?? "";
        var (kind, path, what) = reference.Str("kind") is "TrainingRuntime"
            ? (TrainerOperatorBehaviour.TrainingRuntime, "spec.runtimeRef", "trainingRuntime")
            : (TrainerOperatorBehaviour.ClusterTrainingRuntime, "spec.RuntimeRef", "clusterTrainingRuntime");
        if (store.Get(kind, kind.Namespaced ? ns : null, name) is not null) return null;
        // Go's field.Invalid prints a struct value as its JSON, in the struct's field order.
        var value = new JsonObject { ["name"] = name, ["apiGroup"] = reference.Str("apiGroup"), ["kind"] = reference.Str("kind") }.ToJsonString();
        return OperatorWebhookProgram.Denial([$"{path}: Invalid value: {value}: {kind.Kind}.{kind.Group} \"{name}\" not found: specified {what} must be created before the TrainJob is created"]);
    }

    /// <summary>The TrainingRuntime and ClusterTrainingRuntime validators (one schema, one rule).</summary>
    public static JsonObject? DenyRuntime(JsonObject runtime)
    {
        var problems = new List<string>();
        var jobs = (runtime["spec"]?["template"]?["spec"]?["replicatedJobs"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var index = 0; index < jobs.Count; index++)
        {
            var template = jobs[index]["template"] as JsonObject ?? [];
            if ((string?)template["metadata"]?["labels"]?[AncestorLabel] != TrainerStep) continue;
            var field = $"spec.template.spec.replicatedJobs[{index}]";
            var replicas = jobs[index]["replicas"].AsLong() ?? 1;
            if (replicas != 1) problems.Add($"{field}.replicas: Invalid value: {replicas}: always must be 1");
            var containers = template["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];
            if (containers.OfType<JsonObject>().All(container => container.Str("name") != NodeContainer))
                problems.Add($"{field}.template.spec.template.spec.containers: Invalid value: {containers.ToJsonString()}: must contain the required container for the ancestor: {TrainerStep}");
        }
        return problems.Count == 0 ? null : OperatorWebhookProgram.Denial(problems);
    }
}
