using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The training-operator component: its webhook denies a PyTorchJob of two masters and one without a <c>pytorch</c>
/// container, in controller-runtime's words; a valid PyTorchJob gets a pod and a headless Service per replica, controlled
/// by it and labelled as the operator labels them, the pods carry the rendezvous environment, the status reports the
/// job Running with its active replicas, and its deletion lets the garbage collector remove pods and Services.
/// </summary>
public sealed class TrainingOperatorTests() : OperatorComponentFixture("training-operator", "kubeflow-training-operator-v1.8", "kubeflow", "control-plane=kubeflow-training-operator")
{
    private const string Group = "kubeflow.org";
    private const string Version = "v1";
    private const string JobNameLabel = "training.kubeflow.org/job-name";

    [Test]
    public async Task APyTorchJobOfTwoMastersOrWithoutAPytorchContainerIsDeniedByTheWebhook()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        var masters = Assert.ThrowsAsync<HttpOperationException>(() => CreateJobAsync(ns, "masters", masters: 2, container: "pytorch"))!;
        var unnamed = Assert.ThrowsAsync<HttpOperationException>(() => CreateJobAsync(ns, "unnamed", masters: 1, container: "trainer"))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)masters.Response.StatusCode, Is.EqualTo(403));
            Assert.That(Status(masters).Message, Is.EqualTo("admission webhook \"validator.pytorchjob.training-operator.kubeflow.org\" denied the request: " +
                                                            "spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1"));
            Assert.That(Status(unnamed).Message, Is.EqualTo("admission webhook \"validator.pytorchjob.training-operator.kubeflow.org\" denied the request: [" +
                                                            "spec.pytorchReplicaSpecs[Master].template.spec.containers: Required value: must have at least one container with name pytorch, " +
                                                            "spec.pytorchReplicaSpecs[Worker].template.spec.containers: Required value: must have at least one container with name pytorch]"));
        });
        // Control: one Master and a container named pytorch are admitted.
        Assert.DoesNotThrowAsync(() => CreateJobAsync(ns, "masters", masters: 1, container: "pytorch"), "a PyTorchJob of one Master");
    }

    [Test]
    public async Task AValidPyTorchJobGetsOwnedPodsAndServicesPerReplicaThatItsDeletionCollects()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await CreateJobAsync(ns, "ok", masters: 1, container: "pytorch", workers: 2);
        var job = await EventuallyAsync(async () => await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, "pytorchjobs", "ok", Timeout),
            item => (int?)item["status"]?["replicaStatuses"]?["Worker"]?["active"] == 2 && Condition(item, "Running") == "True", "PyTorchJob ok Running with its 2 workers active");
        var uid = (string?)job["metadata"]!["uid"];
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{JobNameLabel}=ok", cancellationToken: Timeout)).Items;
        var services = (await Client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: $"{JobNameLabel}=ok", cancellationToken: Timeout)).Items;
        var worker = pods.Single(pod => pod.Metadata.Name == "ok-worker-1");
        var env = worker.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Multiple(() =>
        {
            Assert.That(pods.Select(pod => pod.Metadata.Name), Is.EquivalentTo(new[] { "ok-master-0", "ok-worker-0", "ok-worker-1" }));
            Assert.That(services.Select(service => service.Metadata.Name), Is.EquivalentTo(new[] { "ok-master-0", "ok-worker-0", "ok-worker-1" }));
            Assert.That(pods.Select(pod => Controller(pod)).Concat(services.Select(service => Controller(service))), Has.All.EqualTo(("PyTorchJob", uid)));
            Assert.That(worker.Metadata.Labels, Does.ContainKey("training.kubeflow.org/replica-type").WithValue("worker")
                .And.ContainKey("training.kubeflow.org/replica-index").WithValue("1")
                .And.ContainKey("training.kubeflow.org/operator-name").WithValue("pytorchjob-controller"));
            Assert.That(pods.Single(pod => pod.Metadata.Name == "ok-master-0").Metadata.Labels, Does.ContainKey("training.kubeflow.org/job-role").WithValue("master"));
            Assert.That(services.Select(service => service.Spec.ClusterIP), Has.All.EqualTo("None"));
            Assert.That(services.Single(service => service.Metadata.Name == "ok-worker-1").Spec.Selector, Does.ContainKey("training.kubeflow.org/replica-index").WithValue("1"));
            Assert.That(env, Does.ContainKey("MASTER_ADDR").WithValue("ok-master-0").And.ContainKey("MASTER_PORT").WithValue("23456")
                .And.ContainKey("WORLD_SIZE").WithValue("3").And.ContainKey("RANK").WithValue("2"));
            Assert.That(worker.Spec.Containers[0].Ports.Select(port => (port.Name, port.ContainerPort)), Does.Contain(("pytorchjob-port", 23456)));
            Assert.That(worker.Spec.RestartPolicy, Is.EqualTo("OnFailure"));
            Assert.That(Condition(job, "Created"), Is.EqualTo("True"));
            Assert.That(job["status"]?["replicaStatuses"]?["Master"]?.ToJsonString(), Is.EqualTo("{\"active\":1,\"labelSelector\":{\"matchLabels\":{" +
                "\"training.kubeflow.org/job-name\":\"ok\",\"training.kubeflow.org/operator-name\":\"pytorchjob-controller\",\"training.kubeflow.org/replica-type\":\"master\"}}," +
                "\"selector\":\"training.kubeflow.org/job-name=ok,training.kubeflow.org/operator-name=pytorchjob-controller,training.kubeflow.org/replica-type=master\"}"));
        });

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, ns, "pytorchjobs", "ok", cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: Timeout)).Items.Count,
            left => left == 0, "pods and Services of PyTorchJob ok collected");
    }

    private Task CreateJobAsync(string ns, string name, int masters, string container, int workers = 1) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "PyTorchJob",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["pytorchReplicaSpecs"] = new JsonObject
                {
                    ["Master"] = Replica(masters, container),
                    ["Worker"] = Replica(workers, container),
                },
            },
        }, Group, Version, ns, "pytorchjobs", cancellationToken: Timeout);

    private static JsonObject Replica(int replicas, string container) => new()
    {
        ["replicas"] = replicas,
        ["restartPolicy"] = "OnFailure",
        ["template"] = new JsonObject
        {
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = container, ["image"] = "registry.k8s.io/pause:3.10" }) },
        },
    };

    private static string? Condition(JsonObject job, string type) =>
        (string?)(job["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"];
}
