using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>A Kubeflow training-operator PyTorchJob (<c>kubeflow.org/v1</c>).</summary>
[KubernetesEntity(Group = "kubeflow.org", ApiVersion = "v1", Kind = "PyTorchJob", PluralName = "pytorchjobs")]
public sealed class PyTorchJob : CustomObject;

/// <summary>
/// Drives the Kubeflow training-operator (v1) through a PyTorchJob of one Master and one Worker, each container
/// <c>pytorch</c> (the name the operator requires) running the plugin image's echo server. The operator creates a pod
/// and a headless Service per replica (<c>&lt;job&gt;-master-0</c>, <c>&lt;job&gt;-worker-0</c>), controlled by the
/// PyTorchJob itself and labelled <c>training.kubeflow.org/job-name</c>. The invalid instance has 2 Master replicas,
/// which the CRD's schema allows and the operator's PyTorchJob webhook denies
/// (<c>spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1</c>, pkg/webhooks/pytorch/pytorchjob_webhook.go).
/// Ready is what the operator reports: the Running condition True, no Failed condition, and <c>replicaStatuses</c>
/// counting an active (running) Master and Worker.
/// </summary>
public sealed class PyTorchJobDriver : IOperatorDriver
{
    private const string JobNameLabel = "training.kubeflow.org/job-name";
    private const string Container = "pytorch";
    private static readonly string[] ReplicaTypes = ["Master", "Worker"];

    public string Kind => "PyTorchJob";

    public int ExpectedPods => ReplicaTypes.Length;

    public string WhatIsInvalid => "2 Master replicas (the training-operator requires exactly one Master; the CRD's schema does not)";

    public string CreatedFor(string name) => $"{JobNameLabel}={name}";

    public async Task<string> CreateValidAsync(TestNamespace ns, string name) => (await ns.CreateAsync(NewJob(ns, name, masters: 1))).Metadata.Uid;

    public Task CreateInvalidAsync(TestNamespace ns, string name) => ns.CreateAsync(NewJob(ns, name, masters: 2));

    public Task<string> WaitReadyAsync(TestNamespace ns, string name, IReadOnlyList<V1Pod> owned) =>
        OperatorStatus.WaitReadyAsync<PyTorchJob>(ns, name, "to be Running, not Failed, with an active Master and Worker in replicaStatuses", IsReady, Describe);

    public async Task<bool> ExistsAsync(TestNamespace ns, string name) => await ns.Objects<PyTorchJob>().GetAsync(name, ns.Cancellation) is not null;

    public Task DeleteAsync(TestNamespace ns, string name) => ns.DeleteAsync<PyTorchJob>(name);

    private static bool IsReady(PyTorchJob job) =>
        job.Condition("Running") == "True" && job.Condition("Failed") != "True" && ReplicaTypes.All(type => Active(job, type) >= 1);

    /// <summary>Running pods of a replica type; the operator omits a zero count.</summary>
    private static int Active(PyTorchJob job, string type) => (int?)job.Status?["replicaStatuses"]?[type]?["active"] ?? 0;

    private static string Describe(PyTorchJob job)
    {
        if (job.Status is null) return $"PyTorchJob `{job.Metadata.Name}` has no status";
        var replicas = (job.Status["replicaStatuses"] as JsonObject ?? []).Select(entry =>
            $"{entry.Key}: active={entry.Value?["active"]?.ToJsonString() ?? "0"}, succeeded={entry.Value?["succeeded"]?.ToJsonString() ?? "0"}, failed={entry.Value?["failed"]?.ToJsonString() ?? "0"}");
        return $"replicaStatuses [{string.Join("; ", replicas.DefaultIfEmpty("none"))}]; {job.DescribeCondition("Created")}; {job.DescribeCondition("Running")}; {job.DescribeCondition("Failed")}";
    }

    private static PyTorchJob NewJob(TestNamespace ns, string name, int masters) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new JsonObject
        {
            ["pytorchReplicaSpecs"] = new JsonObject
            {
                ["Master"] = Replica(ns, masters),
                ["Worker"] = Replica(ns, 1),
            },
        },
    };

    /// <summary>One replica type of echo servers, restarted by the kubelet on failure as training pods usually are.</summary>
    private static JsonObject Replica(TestNamespace ns, int replicas) => new()
    {
        ["replicas"] = replicas,
        ["restartPolicy"] = "OnFailure",
        ["template"] = new JsonObject { ["spec"] = OperatorPods.EchoServer(ns, Container, restartPolicy: "OnFailure") },
    };
}
