using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The kserve component: its webhook denies an InferenceService whose name or autoscaler class breaks KServe's rules, in
/// controller-runtime's words; a raw-mode InferenceService is built into a Deployment and a Service it controls, whose
/// pods run, its status reports them ready, and its deletion lets the garbage collector remove them; one in serverless
/// mode is left alone, saying why.
/// </summary>
public sealed class KServeOperatorTests() : OperatorComponentFixture("kserve", "kserve", "kserve", "control-plane=kserve-controller-manager")
{
    private const string Group = "serving.kserve.io";
    private const string Version = "v1beta1";
    private const string Plural = "inferenceservices";
    private const string Webhook = "admission webhook \"inferenceservice.kserve-webhook-server.validator\" denied the request: ";

    [Test]
    public async Task AnUnsupportedAutoscalerClassAndANameStartingWithADigitAreDeniedByTheWebhook()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        var autoscaler = Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(ns, "isvc", raw: true, autoscalerClass: "sometimes"))!;
        var name = Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(ns, "1isvc", raw: true, autoscalerClass: "external"))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)autoscaler.Response.StatusCode, Is.EqualTo(403));
            Assert.That(Status(autoscaler).Message, Is.EqualTo(Webhook + "[sometimes] is not a supported autoscaler class type"));
            Assert.That(Status(name).Message, Is.EqualTo(Webhook + "the InferenceService \"1isvc\" is invalid: a InferenceService name must consist of lower case " +
                "alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
        });
        // Control: a supported class on a valid name is admitted.
        Assert.DoesNotThrowAsync(() => CreateAsync(ns, "isvc", raw: true, autoscalerClass: "external"), "an InferenceService with the external autoscaler class");
    }

    [Test]
    public async Task ARawDeploymentInferenceServiceIsBuiltIntoADeploymentAndServiceThatItsDeletionCollects()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await CreateAsync(ns, "echo", raw: true, autoscalerClass: "external");
        var isvc = await EventuallyAsync(() => GetAsync(ns, "echo"), item => Condition(item, "Ready") == "True", "InferenceService echo Ready");
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("echo-predictor", ns, cancellationToken: Timeout);
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("echo-predictor", ns, cancellationToken: Timeout);
        var replicaSet = (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Timeout)).Items.Single();
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "serving.kserve.io/inferenceservice=echo,component=predictor", cancellationToken: Timeout)).Items;
        var uid = (string?)isvc["metadata"]!["uid"];
        Assert.Multiple(() =>
        {
            Assert.That(Controller(deployment), Is.EqualTo(("InferenceService", uid)));
            Assert.That(Controller(service), Is.EqualTo(("InferenceService", uid)));
            Assert.That(Controller(replicaSet), Is.EqualTo(("Deployment", deployment.Metadata.Uid)));
            Assert.That(deployment.Spec.Replicas, Is.EqualTo(2), "minReplicas");
            Assert.That(pods, Has.Count.EqualTo(2));
            Assert.That(pods.Select(pod => Controller(pod)), Has.All.EqualTo(("ReplicaSet", replicaSet.Metadata.Uid)));
            Assert.That(pods.Select(pod => pod.Spec.Containers[0].ReadinessProbe?.TcpSocket?.Port?.Value), Has.All.EqualTo("9000"), "KServe's default readiness probe");
            Assert.That(service.Spec.Selector, Is.EqualTo(new Dictionary<string, string> { ["app"] = "isvc.echo-predictor" }));
            Assert.That(service.Spec.Ports.Single().TargetPort.Value, Is.EqualTo("9000"));
            Assert.That(deployment.Metadata.Labels, Does.ContainKey("serving.kserve.io/inferenceservice").WithValue("echo"));
            Assert.That(Condition(isvc, "PredictorReady"), Is.EqualTo("True"));
            Assert.That((string?)isvc["status"]!["address"]!["url"], Is.EqualTo($"http://echo-predictor.{ns}.svc.cluster.local"));
        });

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, ns, Plural, "echo", cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: Timeout)).Items.Count,
            left => left == 0, "Deployment, ReplicaSet, pods and Service of InferenceService echo collected");
    }

    [Test]
    public async Task AServerlessInferenceServiceIsLeftAloneSayingSo()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await CreateAsync(ns, "knative", raw: false, autoscalerClass: null);
        var isvc = await EventuallyAsync(() => GetAsync(ns, "knative"), item => Condition(item, "Ready") is not null, "InferenceService knative has a Ready condition");
        var deployments = (await Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Timeout)).Items;
        Assert.Multiple(() =>
        {
            Assert.That(Condition(isvc, "Ready"), Is.EqualTo("Unknown"));
            Assert.That((string?)isvc["status"]!["conditions"]![0]!["reason"], Is.EqualTo("ServerlessModeNotSimulated"));
            Assert.That(deployments, Is.Empty);
        });
    }

    private Task CreateAsync(string ns, string name, bool raw, string? autoscalerClass)
    {
        var annotations = new JsonObject();
        if (raw) annotations["serving.kserve.io/deploymentMode"] = "RawDeployment";
        if (autoscalerClass is not null) annotations["serving.kserve.io/autoscalerClass"] = autoscalerClass;
        return Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "InferenceService",
            ["metadata"] = new JsonObject { ["name"] = name, ["annotations"] = annotations },
            ["spec"] = new JsonObject
            {
                ["predictor"] = new JsonObject
                {
                    ["minReplicas"] = 2,
                    // The plugin image's echo server on a port of its own, which KServe's default readiness probe and the Service follow.
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "kserve-container", ["image"] = "registry.example/ai-conformance:test",
                        ["command"] = new JsonArray("aiconformance", "serve-echo", "--port", "9000"),
                        ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 9000 }),
                    }),
                },
            },
        }, Group, Version, ns, Plural, cancellationToken: Timeout);
    }

    private Task<JsonObject> GetAsync(string ns, string name) => Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, Plural, name, Timeout);

    private static string? Condition(JsonObject isvc, string type) =>
        (isvc["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.GetValue<string>();
}
