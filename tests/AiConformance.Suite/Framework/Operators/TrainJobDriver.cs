using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>A Kubeflow Trainer TrainJob (<c>trainer.kubeflow.org/v1alpha1</c>).</summary>
[KubernetesEntity(Group = "trainer.kubeflow.org", ApiVersion = "v1alpha1", Kind = "TrainJob", PluralName = "trainjobs")]
public sealed class TrainJob : CustomObject;

/// <summary>A namespaced Kubeflow Trainer runtime (<c>trainer.kubeflow.org/v1alpha1</c>): a JobSet template and an ML policy.</summary>
[KubernetesEntity(Group = "trainer.kubeflow.org", ApiVersion = "v1alpha1", Kind = "TrainingRuntime", PluralName = "trainingruntimes")]
public sealed class TrainingRuntime : CustomObject;

/// <summary>A JobSet (<c>jobset.x-k8s.io/v1alpha2</c>), what Trainer builds a TrainJob into.</summary>
[KubernetesEntity(Group = "jobset.x-k8s.io", ApiVersion = "v1alpha2", Kind = "JobSet", PluralName = "jobsets")]
public sealed class JobSet : CustomObject;

/// <summary>
/// Drives Kubeflow Trainer v2 through a TrainJob of two nodes. The test brings its own TrainingRuntime in its
/// namespace (whatever ClusterTrainingRuntimes the cluster has, and gone with the namespace): one replicatedJob
/// <c>node</c>, labelled as the trainer step, whose container <c>node</c> is the plugin image's echo server, and
/// <c>mlPolicy.numNodes: 2</c>. Trainer builds the TrainJob into a JobSet it controls, the JobSet controller into a Job
/// of two pods, all labelled <c>jobset.sigs.k8s.io/jobset-name</c>. The invalid instance names a TrainingRuntime that
/// does not exist, which the CRD's schema allows and Trainer's TrainJob webhook denies ("specified trainingRuntime must
/// be created before the TrainJob is created"). Ready is what Trainer reports: the <c>jobsStatus</c> entry of
/// <c>node</c> counting its Job ready (the JobSet counts a Job ready when its ready pods reach its parallelism) and no
/// Failed condition.
/// </summary>
public sealed class TrainJobDriver : IOperatorDriver
{
    private const string Node = "node";
    private const string AncestorLabel = "trainer.kubeflow.org/trainjob-ancestor-step";
    private const string JobSetNameLabel = "jobset.sigs.k8s.io/jobset-name";
    private const int Nodes = 2;

    public string Kind => "TrainJob";

    public int ExpectedPods => Nodes;

    public string WhatIsInvalid => "a runtimeRef naming a TrainingRuntime that does not exist in its namespace (Trainer requires the runtime first; the CRD's schema does not)";

    public string CreatedFor(string name) => $"{JobSetNameLabel}={name}";

    public async Task<string> CreateValidAsync(TestNamespace ns, string name)
    {
        await ns.CreateAsync(new TrainingRuntime { Metadata = new V1ObjectMeta { Name = Runtime(name) }, Spec = RuntimeSpec(ns) });
        // Trainer's webhook reads runtimes from its informer cache: a TrainJob sent right after its runtime may be denied until the cache has it.
        var (created, _) = await Poll.UntilAsync(() => TryCreateAsync(ns, name), job => job is not null, ns.Timeouts.ObjectCreated, TimeSpan.FromSeconds(1), ns.Cancellation);
        return (created ?? await ns.CreateAsync(NewTrainJob(name))).Metadata.Uid;
    }

    public Task CreateInvalidAsync(TestNamespace ns, string name) => ns.CreateAsync(NewTrainJob(name));

    public Task<string> WaitReadyAsync(TestNamespace ns, string name, IReadOnlyList<V1Pod> owned) =>
        OperatorStatus.WaitReadyAsync<TrainJob>(ns, name, $"to report its `{Node}` Job ready in jobsStatus and no Failed condition", IsReady, Describe);

    public async Task<bool> ExistsAsync(TestNamespace ns, string name) => await ns.Objects<TrainJob>().GetAsync(name, ns.Cancellation) is not null;

    public Task DeleteAsync(TestNamespace ns, string name) => ns.DeleteAsync<TrainJob>(name);

    public async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> IntermediatesAsync(TestNamespace ns)
    {
        var (jobSets, _) = await ns.Objects<JobSet>().ListAsync(null, null, ns.Cancellation);
        return [.. jobSets];
    }

    /// <summary>The test's own runtime, named after the TrainJob; the invalid TrainJob names it without it being created.</summary>
    private static string Runtime(string name) => $"{name}-runtime";

    private static async Task<TrainJob?> TryCreateAsync(TestNamespace ns, string name)
    {
        try
        {
            return await ns.CreateAsync(NewTrainJob(name));
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == HttpStatusCode.Forbidden && error.Response.Content.Contains("must be created before", StringComparison.Ordinal))
        {
            return null;
        }
    }

    private static TrainJob NewTrainJob(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new JsonObject
        {
            ["runtimeRef"] = new JsonObject { ["name"] = Runtime(name), ["apiGroup"] = "trainer.kubeflow.org", ["kind"] = "TrainingRuntime" },
        },
    };

    private static bool IsReady(TrainJob job) =>
        job.Condition("Failed") != "True" && (int?)NodeStatus(job)?["ready"] >= 1;

    private static JsonObject? NodeStatus(TrainJob job) =>
        (job.Status?["jobsStatus"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(status => (string?)status["name"] == Node);

    private static string Describe(TrainJob job)
    {
        if (job.Status is null) return $"TrainJob `{job.Metadata.Name}` has no status";
        var jobs = (job.Status["jobsStatus"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(status => $"{status["name"]}: ready={status["ready"]}, active={status["active"]}, succeeded={status["succeeded"]}, failed={status["failed"]}, suspended={status["suspended"]}");
        return $"jobsStatus [{string.Join("; ", jobs.DefaultIfEmpty("none"))}]; {job.DescribeCondition("Complete")}; {job.DescribeCondition("Failed")}";
    }

    /// <summary>One trainer step of <see cref="Nodes"/> echo servers; a Job's pods may not restart Always.</summary>
    private static JsonObject RuntimeSpec(TestNamespace ns) => new()
    {
        ["mlPolicy"] = new JsonObject { ["numNodes"] = Nodes },
        ["template"] = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["replicatedJobs"] = new JsonArray(new JsonObject
                {
                    ["name"] = Node,
                    ["replicas"] = 1,
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [AncestorLabel] = "trainer" } },
                        ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = OperatorPods.EchoServer(ns, Node, restartPolicy: "OnFailure") } },
                    },
                }),
            },
        },
    };
}
