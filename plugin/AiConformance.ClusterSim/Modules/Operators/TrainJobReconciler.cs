using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// What Trainer's controller does for one TrainJob: reads the runtime its runtimeRef names and builds the JobSet of
/// the same name from the runtime's template, controlled by the TrainJob; the replicatedJob labelled as the trainer
/// step runs <c>mlPolicy.numNodes</c> pods (the TrainJob's <c>trainer.numNodes</c> overrides it) as the Job's
/// parallelism and completions. Then the TrainJob's status: <c>jobsStatus</c> copied from the JobSet's
/// <c>replicatedJobsStatus</c>, and Complete or Failed once the JobSet is. A TrainJob whose runtime is missing is left
/// as it is (the real controller retries with an error).
/// </summary>
public static class TrainJobReconciler
{
    public static void Reconcile(IClusterStore store, JsonObject trainJob, IOperatorFault fault)
    {
        var (ns, name) = (trainJob.Namespace(), trainJob.Name());
        if (Runtime(store, trainJob) is not { } runtime) return;
        var jobSet = store.Get(TrainerOperatorBehaviour.JobSet, ns, name) ?? store.Create(TrainerOperatorBehaviour.JobSet, NewJobSet(trainJob, runtime, fault));
        if (jobSet.ControllerUid() is { } controller && controller != trainJob.Uid()) return;
        OwnedPods.WriteStatus(store, TrainerOperatorBehaviour.TrainJob, trainJob, status => Describe(status, jobSet, fault));
    }

    private static JsonObject? Runtime(IClusterStore store, JsonObject trainJob)
    {
        var reference = trainJob["spec"]?["runtimeRef"] as JsonObject ?? [];
        var kind = (string?)reference["kind"] is "TrainingRuntime" ? TrainerOperatorBehaviour.TrainingRuntime : TrainerOperatorBehaviour.ClusterTrainingRuntime;
        return store.Get(kind, kind.Namespaced ? trainJob.Namespace() : null, (string?)reference["name"] ?? "");
    }

    private static JsonObject NewJobSet(JsonObject trainJob, JsonObject runtime, IOperatorFault fault)
    {
        var template = runtime["spec"]?["template"] as JsonObject ?? [];
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        var nodes = JsonNumber.Long(trainJob["spec"]?["trainer"]?["numNodes"]) ?? JsonNumber.Long(runtime["spec"]?["mlPolicy"]?["numNodes"]) ?? 1;
        foreach (var replicatedJob in (spec["replicatedJobs"] as JsonArray ?? []).OfType<JsonObject>()
                     .Where(job => (string?)job["template"]?["metadata"]?["labels"]?[TrainerValidation.AncestorLabel] == TrainerValidation.TrainerStep))
        {
            var jobSpec = replicatedJob.Child("template").Child("spec");
            jobSpec["parallelism"] = nodes;
            jobSpec["completions"] = nodes;
        }
        var metadata = new JsonObject
        {
            ["name"] = trainJob.Name(),
            ["namespace"] = trainJob.Namespace(),
            ["labels"] = template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject(),
            ["annotations"] = template["metadata"]?["annotations"]?.DeepClone() ?? new JsonObject(),
        };
        if (fault.OwnsWorkloads) metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(trainJob));
        return new JsonObject { ["apiVersion"] = "jobset.x-k8s.io/v1alpha2", ["kind"] = "JobSet", ["metadata"] = metadata, ["spec"] = spec };
    }

    private static void Describe(JsonObject status, JsonObject jobSet, IOperatorFault fault)
    {
        var jobs = (jobSet["status"]?["replicatedJobsStatus"] as JsonArray ?? []).OfType<JsonObject>().Select(job => (JsonObject)job.DeepClone()).ToList();
        if (!fault.ReportsReady) foreach (var job in jobs) job["ready"] = 0;
        status["jobsStatus"] = new JsonArray([.. jobs]);
        foreach (var (from, to) in new[] { ("Completed", "Complete"), ("Failed", "Failed") })
            if ((jobSet["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == from && (string?)c["status"] == "True") is { } done)
                PodFacts.SetCondition(status, to, "True", (string?)done["reason"], (string?)done["message"], probeTime: false);
    }
}
