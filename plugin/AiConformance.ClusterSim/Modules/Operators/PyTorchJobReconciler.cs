using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// What the training-operator's pytorchjob-controller does for one PyTorchJob (kubeflow/common's ReconcileJobs): per
/// replica of each replica type a pod <c>&lt;job&gt;-&lt;type&gt;-&lt;index&gt;</c> and a headless Service of the same
/// name selecting it, both controlled by the job and labelled <c>training.kubeflow.org/job-name</c>,
/// <c>operator-name</c>, <c>replica-type</c> (lower case) and <c>replica-index</c>, the master pod also
/// <c>job-role=master</c>. The <c>pytorch</c> container gets the port <c>pytorchjob-port</c> (23456) where it declares
/// none of that name, and the rendezvous environment (MASTER_ADDR is the master's Service). Then the status: Created,
/// Running once the master runs, Succeeded once it has, Failed once a replica has; <c>replicaStatuses</c> per type with
/// its active (running), succeeded and failed pods (omitted at zero, as Go's omitempty does) and its selector.
/// </summary>
public static class PyTorchJobReconciler
{
    private const string Prefix = "training.kubeflow.org/";
    public const string JobNameLabel = Prefix + "job-name";
    public const string ReplicaTypeLabel = Prefix + "replica-type";
    public const string ReplicaIndexLabel = Prefix + "replica-index";
    public const string OperatorNameLabel = Prefix + "operator-name";
    public const string ControllerName = "pytorchjob-controller";
    public const string PortName = "pytorchjob-port";
    public const int Port = 23456;

    public static void Reconcile(IClusterStore store, JsonObject job, IOperatorFault fault)
    {
        if (Condition(job, "Succeeded") || Condition(job, "Failed")) return;
        var replicas = Replicas(job).ToList();
        var worldSize = replicas.Sum(replica => replica.Count);
        var pods = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var (type, count, spec) in replicas)
        {
            pods[type] = [];
            for (var index = 0; index < count; index++)
            {
                var name = $"{job.Name()}-{type.ToLowerInvariant()}-{index}";
                var labels = Labels(job.Name(), type, index);
                if (store.Get(Kinds.Service, job.Namespace(), name) is null)
                    store.Create(Kinds.Service, HeadlessServices.For(job, LabelObject(labels), LabelObject(labels), fault, name,
                        new JsonArray(new JsonObject { ["name"] = PortName, ["port"] = Port, ["targetPort"] = Port })));
                var pod = store.Get(Kinds.Pod, job.Namespace(), name) ?? store.Create(Kinds.Pod, NewPod(job, spec, name, labels, Rank(type, index), worldSize));
                if (pod.ControllerUid() == job.Uid()) pods[type].Add(pod);
            }
        }
        OwnedPods.WriteStatus(store, TrainingOperatorBehaviour.PyTorchJob, job, status => Describe(status, job, pods, fault));
    }

    private static IEnumerable<(string Type, int Count, JsonObject Spec)> Replicas(JsonObject job) =>
        (job["spec"]?["pytorchReplicaSpecs"] as JsonObject ?? []).Select(entry =>
            (entry.Key, JsonNumber.Int(entry.Value?["replicas"]) ?? 1, entry.Value as JsonObject ?? []));

    /// <summary>The master is rank 0, the workers follow it.</summary>
    private static int Rank(string type, int index) => type == PyTorchJobValidation.Master ? 0 : index + 1;

    private static Dictionary<string, string> Labels(string job, string type, int index)
    {
        var labels = new Dictionary<string, string>
        {
            [JobNameLabel] = job,
            [OperatorNameLabel] = ControllerName,
            [ReplicaTypeLabel] = type.ToLowerInvariant(),
            [ReplicaIndexLabel] = index.ToString(CultureInfo.InvariantCulture),
        };
        if (type == PyTorchJobValidation.Master && index == 0) labels[Prefix + "job-role"] = "master";
        return labels;
    }

    private static JsonObject LabelObject(IReadOnlyDictionary<string, string> labels) =>
        new(labels.Where(label => label.Key != Prefix + "job-role").Select(label => KeyValuePair.Create(label.Key, (JsonNode?)label.Value)));

    private static JsonObject NewPod(JsonObject job, JsonObject spec, string name, IReadOnlyDictionary<string, string> labels, int rank, int worldSize)
    {
        var pod = OwnedPods.FromTemplate(job, spec["template"] as JsonObject ?? [], name, "", labels);
        pod.Metadata().Remove("generateName");
        var podSpec = pod.Child("spec");
        // ExitCode is the operator's own policy: the pod never restarts, the operator decides from the exit code.
        podSpec["restartPolicy"] = (string?)spec["restartPolicy"] is { } policy and not "ExitCode" ? policy : "Never";
        var master = $"{job.Name()}-{PyTorchJobValidation.Master.ToLowerInvariant()}-0";
        foreach (var container in (podSpec["containers"] as JsonArray ?? []).OfType<JsonObject>().Where(c => (string?)c["name"] == PyTorchJobValidation.Container))
        {
            var ports = container.Array("ports");
            if (ports.OfType<JsonObject>().All(port => (string?)port["name"] != PortName))
                ports.Add(new JsonObject { ["name"] = PortName, ["containerPort"] = Port, ["protocol"] = "TCP" });
            var env = container.Array("env");
            foreach (var (key, value) in new[] { ("PYTHONUNBUFFERED", "1"), ("MASTER_PORT", $"{Port}"), ("MASTER_ADDR", master), ("WORLD_SIZE", $"{worldSize}"), ("RANK", $"{rank}") })
                env.Add(new JsonObject { ["name"] = key, ["value"] = value });
        }
        return pod;
    }

    private static void Describe(JsonObject status, JsonObject job, IReadOnlyDictionary<string, List<JsonObject>> pods, IOperatorFault fault)
    {
        status["startTime"] ??= Json.Now();
        PodFacts.SetCondition(status, "Created", "True", "PyTorchJobCreated", $"PyTorchJob {job.Name()} is created.", probeTime: false);
        var statuses = new JsonObject();
        foreach (var (type, members) in pods)
        {
            var replica = new JsonObject();
            foreach (var (field, count) in new[] { ("active", fault.ReportsReady ? members.Count(p => p.Phase() == "Running") : 0), ("succeeded", members.Count(p => p.Phase() == "Succeeded")), ("failed", members.Count(p => p.Phase() == "Failed")) })
                if (count > 0) replica[field] = count;
            var selector = new Dictionary<string, string> { [JobNameLabel] = job.Name(), [OperatorNameLabel] = ControllerName, [ReplicaTypeLabel] = type.ToLowerInvariant() };
            replica["labelSelector"] = new JsonObject { ["matchLabels"] = LabelObject(selector) };
            replica["selector"] = string.Join(",", selector.Select(label => $"{label.Key}={label.Value}"));
            statuses[type] = replica;
        }
        status["replicaStatuses"] = statuses;
        var name = $"{job.Namespace()}/{job.Name()}";
        int Count(string type, string field) => JsonNumber.Int(statuses[type]?[field]) ?? 0;
        if (pods.Keys.FirstOrDefault(type => Count(type, "failed") > 0) is { } failed)
            Finish(status, "Failed", $"PyTorchJob {name} is failed because {Count(failed, "failed")} {failed} replica(s) failed.");
        else if (pods.ContainsKey(PyTorchJobValidation.Master) && Count(PyTorchJobValidation.Master, "succeeded") > 0)
            Finish(status, "Succeeded", $"PyTorchJob {name} successfully completed.");
        else if (pods.ContainsKey(PyTorchJobValidation.Master) && Count(PyTorchJobValidation.Master, "active") > 0)
            PodFacts.SetCondition(status, "Running", "True", "PyTorchJobRunning", $"PyTorchJob {name} is running.", probeTime: false);
    }

    /// <summary>A finished job is no longer Running.</summary>
    private static void Finish(JsonObject status, string type, string message)
    {
        if ((status["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == "Running"))
            PodFacts.SetCondition(status, "Running", "False", $"PyTorchJob{type}", message, probeTime: false);
        PodFacts.SetCondition(status, type, "True", $"PyTorchJob{type}", message, probeTime: false);
        status["completionTime"] ??= Json.Now();
    }

    private static bool Condition(JsonObject job, string type) =>
        (job["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == type && (string?)c["status"] == "True");
}
