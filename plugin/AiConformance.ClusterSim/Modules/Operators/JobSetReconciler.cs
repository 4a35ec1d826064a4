using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// What the JobSet controller does for one JobSet: the headless Service named after it (its pods' subdomain, as
/// <c>network.enableDNSHostnames</c> defaults to true) and, for each replicatedJob, <c>replicas</c> Jobs named
/// <c>&lt;jobset&gt;-&lt;replicatedJob&gt;-&lt;index&gt;</c> controlled by the JobSet (Indexed unless the template says
/// otherwise, as the JobSet defaulter sets), Jobs and their pods labelled with the JobSet's name, the replicatedJob's
/// name and the Job's index. Then its status: per replicatedJob how many Jobs are ready (ready and succeeded pods
/// reaching the Job's parallelism), succeeded, failed, active and suspended; Completed once every Job has, Failed once
/// one has failed.
/// </summary>
public static class JobSetReconciler
{
    private const string Prefix = "jobset.sigs.k8s.io/";
    public const string JobSetNameLabel = Prefix + "jobset-name";
    public const string ReplicatedJobLabel = Prefix + "replicatedjob-name";
    public const string JobIndexLabel = Prefix + "job-index";

    public static void Reconcile(IClusterStore store, JsonObject jobSet, IOperatorFault fault)
    {
        var (ns, name) = (jobSet.Namespace(), jobSet.Name());
        if (Condition(jobSet, "Completed") || Condition(jobSet, "Failed")) return;
        if (store.Get(Kinds.Service, ns, name) is null) store.Create(Kinds.Service, HeadlessServices.For(jobSet, new JsonObject { [JobSetNameLabel] = jobSet.Name() }, null, fault));
        var statuses = new List<JsonObject>();
        var all = new List<JsonObject>();
        var globalIndex = 0;
        foreach (var replicatedJob in (jobSet["spec"]?["replicatedJobs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var jobs = new List<JsonObject>();
            var replicas = JsonNumber.Int(replicatedJob["replicas"]) ?? 1;
            for (var index = 0; index < replicas; index++, globalIndex++)
            {
                var job = store.Get(Kinds.Job, ns, $"{name}-{(string?)replicatedJob["name"]}-{index}")
                          ?? store.Create(Kinds.Job, NewJob(jobSet, replicatedJob, index, replicas, globalIndex));
                if (job.ControllerUid() == jobSet.Uid()) jobs.Add(job);
            }
            statuses.Add(Describe((string?)replicatedJob["name"] ?? "", jobs));
            all.AddRange(jobs);
        }
        OwnedPods.WriteStatus(store, TrainerOperatorBehaviour.JobSet, jobSet, status =>
        {
            status["replicatedJobsStatus"] = new JsonArray([.. statuses.Select(s => s.DeepClone())]);
            if (all.Any(job => Condition(job, "Failed"))) Finish(status, "Failed", "FailedJobs", "jobset failed due to one or more job failures");
            else if (all.Count > 0 && all.All(job => Condition(job, "Complete"))) Finish(status, "Completed", "AllJobsCompleted", "jobset completed successfully");
        });
    }

    private static void Finish(JsonObject status, string type, string reason, string message)
    {
        PodFacts.SetCondition(status, type, "True", reason, message, probeTime: false);
        status["terminalState"] = type;
    }

    private static JsonObject Describe(string name, IReadOnlyList<JsonObject> jobs)
    {
        bool Finished(JsonObject job) => Condition(job, "Complete") || Condition(job, "Failed");
        long Count(JsonObject job, string field) => JsonNumber.Long(job["status"]?[field]) ?? 0;
        return new JsonObject
        {
            ["name"] = name,
            ["ready"] = jobs.Count(job => !Finished(job) && Count(job, "ready") + Count(job, "succeeded") >= (JsonNumber.Long(job["spec"]?["parallelism"]) ?? 1)),
            ["succeeded"] = jobs.Count(job => Condition(job, "Complete")),
            ["failed"] = jobs.Count(job => Condition(job, "Failed")),
            ["active"] = jobs.Count(job => !Finished(job) && Count(job, "active") > 0),
            ["suspended"] = jobs.Count(job => (bool?)job["spec"]?["suspend"] == true),
        };
    }

    private static JsonObject NewJob(JsonObject jobSet, JsonObject replicatedJob, int index, int replicas, int globalIndex)
    {
        var labels = new Dictionary<string, string>
        {
            [JobSetNameLabel] = jobSet.Name(),
            [ReplicatedJobLabel] = (string?)replicatedJob["name"] ?? "",
            [Prefix + "replicatedjob-replicas"] = replicas.ToString(CultureInfo.InvariantCulture),
            [JobIndexLabel] = index.ToString(CultureInfo.InvariantCulture),
            [Prefix + "job-global-index"] = globalIndex.ToString(CultureInfo.InvariantCulture),
        };
        var template = replicatedJob["template"] as JsonObject ?? [];
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        spec["completionMode"] ??= "Indexed";
        var podTemplate = spec.Child("template");
        Stamp(podTemplate.Child("metadata"), labels);
        podTemplate.Child("spec")["subdomain"] ??= jobSet.Name();
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata["name"] = $"{jobSet.Name()}-{(string?)replicatedJob["name"]}-{index}";
        metadata["namespace"] = jobSet.Namespace();
        metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(jobSet));
        Stamp(metadata, labels);
        return new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["metadata"] = metadata, ["spec"] = spec };
    }

    /// <summary>JobSet puts its labels on a Job and its pod template both as labels and as annotations.</summary>
    private static void Stamp(JsonObject metadata, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in labels)
        {
            metadata.Child("labels")[key] = value;
            metadata.Child("annotations")[key] = value;
        }
    }

    private static bool Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == type && (string?)c["status"] == "True");
}
