using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The trainer-operator component: its webhooks deny a TrainJob naming a missing runtime and a runtime whose trainer
/// step breaks Trainer's rules, in controller-runtime's words; a valid TrainJob is built into a JobSet, the JobSet into
/// a Job whose pods run, each controlled by the one before, the TrainJob's status reports the Job ready, and its
/// deletion lets the garbage collector remove the whole chain.
/// </summary>
public sealed class TrainerOperatorTests() : OperatorComponentFixture("trainer-operator", "kubeflow-trainer-v2.3.0", "kubeflow-system", "app.kubernetes.io/name=trainer")
{
    private const string Group = "trainer.kubeflow.org";
    private const string Version = "v1alpha1";
    private const string JobSetLabel = "jobset.sigs.k8s.io/jobset-name";

    [Test]
    public async Task ATrainJobNamingAMissingRuntimeAndABrokenRuntimeAreDeniedByTheWebhooks()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        var missing = Assert.ThrowsAsync<HttpOperationException>(() => CreateTrainJobAsync(ns, "orphan", "absent", nodes: null))!;
        var broken = Assert.ThrowsAsync<HttpOperationException>(() => CreateRuntimeAsync(ns, "broken", replicas: 2, container: "worker"))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)missing.Response.StatusCode, Is.EqualTo(403));
            Assert.That(Status(missing).Message, Is.EqualTo("admission webhook \"validator.trainjob.trainer.kubeflow.org\" denied the request: spec.runtimeRef: Invalid value: " +
                "{\"name\":\"absent\",\"apiGroup\":\"trainer.kubeflow.org\",\"kind\":\"TrainingRuntime\"}: TrainingRuntime.trainer.kubeflow.org \"absent\" not found: " +
                "specified trainingRuntime must be created before the TrainJob is created"));
            Assert.That(Status(broken).Message, Does.StartWith("admission webhook \"validator.trainingruntime.trainer.kubeflow.org\" denied the request: [" +
                "spec.template.spec.replicatedJobs[0].replicas: Invalid value: 2: always must be 1, spec.template.spec.replicatedJobs[0].template.spec.template.spec.containers: Invalid value: "));
            Assert.That(Status(broken).Message, Does.EndWith("must contain the required container for the ancestor: trainer]"));
        });
        // Control: with its runtime in place, the same TrainJob is admitted.
        await CreateRuntimeAsync(ns, "absent", replicas: 1, container: "node");
        Assert.DoesNotThrowAsync(() => CreateTrainJobAsync(ns, "orphan", "absent", nodes: null), "a TrainJob whose TrainingRuntime exists");
    }

    [Test]
    public async Task AValidTrainJobIsBuiltIntoAJobSetAJobAndPodsThatItsDeletionCollects()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await CreateRuntimeAsync(ns, "runtime", replicas: 1, container: "node");
        await CreateTrainJobAsync(ns, "ok", "runtime", nodes: 3);
        var trainJob = await EventuallyAsync(async () => await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, "trainjobs", "ok", Timeout),
            // jobsStatus is written empty until the JobSet reports its Jobs.
            job => (int?)(job["status"]?["jobsStatus"] as JsonArray)?.FirstOrDefault()?["ready"] == 1, "TrainJob ok reporting its node Job ready");
        var jobSet = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("jobset.x-k8s.io", "v1alpha2", ns, "jobsets", "ok", Timeout);
        var job = await Client.BatchV1.ReadNamespacedJobAsync("ok-node-0", ns, cancellationToken: Timeout);
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{JobSetLabel}=ok", cancellationToken: Timeout)).Items;
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("ok", ns, cancellationToken: Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(Controller(jobSet), Is.EqualTo(("TrainJob", (string?)trainJob["metadata"]!["uid"])));
            Assert.That(Controller(job), Is.EqualTo(("JobSet", (string?)jobSet["metadata"]!["uid"])));
            Assert.That(Controller(service), Is.EqualTo(("JobSet", (string?)jobSet["metadata"]!["uid"])));
            Assert.That((job.Spec.Parallelism, job.Spec.Completions, job.Spec.CompletionMode), Is.EqualTo((3, 3, "Indexed")), "the TrainJob's numNodes overrides the runtime's");
            Assert.That(job.Metadata.Labels, Does.ContainKey("jobset.sigs.k8s.io/replicatedjob-name").WithValue("node").And.ContainKey("jobset.sigs.k8s.io/job-index").WithValue("0"));
            Assert.That(pods, Has.Count.EqualTo(3));
            Assert.That(pods.Select(pod => Controller(pod)), Has.All.EqualTo(("Job", job.Metadata.Uid)));
            Assert.That(pods.Select(pod => pod.Spec.Subdomain), Has.All.EqualTo("ok"), "the JobSet's headless Service is their subdomain");
            Assert.That(service.Spec.ClusterIP, Is.EqualTo("None"));
            Assert.That(trainJob["status"]?["jobsStatus"]?.ToJsonString(),
                Is.EqualTo("[{\"name\":\"node\",\"ready\":1,\"succeeded\":0,\"failed\":0,\"active\":1,\"suspended\":0}]"));
        });

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, ns, "trainjobs", "ok", cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>("jobset.x-k8s.io", "v1alpha2", ns, "jobsets", cancellationToken: Timeout))["items"]!.AsArray().Count
                                          + (await Client.BatchV1.ListNamespacedJobAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: Timeout)).Items.Count,
            left => left == 0, "JobSet, Job, pods and Service of TrainJob ok collected");
    }

    private Task CreateTrainJobAsync(string ns, string name, string runtime, int? nodes)
    {
        var spec = new JsonObject { ["runtimeRef"] = new JsonObject { ["name"] = runtime, ["apiGroup"] = Group, ["kind"] = "TrainingRuntime" } };
        if (nodes is { } count) spec["trainer"] = new JsonObject { ["numNodes"] = count };
        return Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "TrainJob",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        }, Group, Version, ns, "trainjobs", cancellationToken: Timeout);
    }

    private Task CreateRuntimeAsync(string ns, string name, int replicas, string container) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "TrainingRuntime",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["mlPolicy"] = new JsonObject { ["numNodes"] = 2 },
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["replicatedJobs"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "node",
                            ["replicas"] = replicas,
                            ["template"] = new JsonObject
                            {
                                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["trainer.kubeflow.org/trainjob-ancestor-step"] = "trainer" } },
                                ["spec"] = new JsonObject
                                {
                                    ["template"] = new JsonObject
                                    {
                                        ["spec"] = new JsonObject
                                        {
                                            ["restartPolicy"] = "OnFailure",
                                            ["containers"] = new JsonArray(new JsonObject { ["name"] = container, ["image"] = "registry.k8s.io/pause:3.10" }),
                                        },
                                    },
                                },
                            },
                        }),
                    },
                },
            },
        }, Group, Version, ns, "trainingruntimes", cancellationToken: Timeout);

    /// <summary>The controller of a custom resource read as JSON.</summary>
    private static (string? Kind, string? Uid) Controller(JsonObject item) =>
        (item["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(r => (bool?)r["controller"] == true) is { } owner
            ? ((string?)owner["kind"], (string?)owner["uid"]) : (null, null);
}
