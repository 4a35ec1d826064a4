using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The kuberay-operator component and the API server's validating admission webhooks: the operator's webhook denies
/// an invalid RayCluster in kube-apiserver's words, its failurePolicy and namespaceSelector are honoured, and a valid
/// RayCluster is reconciled into owned pods and a Service that the garbage collector removes with it.
/// </summary>
public sealed class KubeRayOperatorTests() : OperatorComponentFixture("kuberay-operator", "kuberay-v1.7.0", "ray-system", "app.kubernetes.io/name=kuberay-operator")
{
    private const string Configuration = "kuberay-validating-webhook-configuration";

    [Test]
    public async Task AnInvalidRayClusterIsDeniedByTheWebhookInKubeApiserversWords()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        var error = Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(ns, "bad", "workers", "workers"))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)error.Response.StatusCode, Is.EqualTo(422));
            Assert.That(Status(error).Message, Is.EqualTo("admission webhook \"vraycluster.kb.io\" denied the request: RayCluster.ray.io \"bad\" is invalid: " +
                                                          "spec.workerGroupSpecs[1]: Invalid value: \"workers\": worker group names must be unique"));
        });
    }

    [Test]
    public async Task AnUnreachableWebhookFailsTheRequestUnlessItsFailurePolicyIsIgnore()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await PatchWebhookAsync(new JsonObject { ["clientConfig"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "missing" } } });
        try
        {
            var error = Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(ns, "fails", "workers"))!;
            Assert.That((int)error.Response.StatusCode, Is.EqualTo(500));
            Assert.That(Status(error).Message, Does.StartWith("Internal error occurred: failed calling webhook \"vraycluster.kb.io\": failed to call webhook: " +
                                                              "Post \"https://missing.ray-system.svc:443/validate-ray-io-v1-raycluster?timeout=10s\": service \"missing\" not found"));

            await PatchWebhookAsync(new JsonObject { ["failurePolicy"] = "Ignore" });
            Assert.DoesNotThrowAsync(() => CreateAsync(ns, "admitted", "workers", "workers"), "an invalid RayCluster when the webhook cannot be called and failures are ignored");
        }
        finally
        {
            await PatchWebhookAsync(new JsonObject { ["failurePolicy"] = "Fail", ["clientConfig"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "kuberay-webhook-service" } } });
        }
    }

    [Test]
    public async Task AWebhookIsNotCalledForNamespacesItsSelectorLeavesOut()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await PatchWebhookAsync(new JsonObject { ["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["ray-validation"] = "enabled" } } });
        try
        {
            Assert.DoesNotThrowAsync(() => CreateAsync(ns, "unchecked", "workers", "workers"), "a namespace the webhook's namespaceSelector does not select");
        }
        finally
        {
            await PatchWebhookAsync(new JsonObject { ["namespaceSelector"] = new JsonObject() });
        }
    }

    [Test]
    public async Task AValidRayClusterIsReconciledAndItsDeletionCollectsWhatItOwns()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await CreateAsync(ns, "ok", "workers");
        var cluster = await EventuallyAsync(async () => await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("ray.io", "v1", ns, "rayclusters", "ok", Timeout),
            c => (string?)c["status"]?["state"] == "ready", "RayCluster ok ready");
        var uid = (string)cluster["metadata"]!["uid"]!;
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "ray.io/cluster=ok", cancellationToken: Timeout)).Items;
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("ok-head-svc", ns, cancellationToken: Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(pods.Select(p => p.Metadata.Labels["ray.io/node-type"]), Is.EquivalentTo(new[] { "head", "worker" }));
            Assert.That(pods.Concat<IKubernetesObject<V1ObjectMeta>>([service]).Select(o => o.Metadata.OwnerReferences?.SingleOrDefault()?.Uid), Has.All.EqualTo(uid));
            Assert.That((string?)cluster["status"]?["head"]?["podName"], Is.EqualTo(pods.Single(p => p.Metadata.Labels["ray.io/node-type"] == "head").Metadata.Name));
            Assert.That((int?)cluster["status"]?["readyWorkerReplicas"], Is.EqualTo(1));
        });

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync("ray.io", "v1", ns, "rayclusters", "ok", cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "ray.io/cluster=ok", cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: "ray.io/cluster=ok", cancellationToken: Timeout)).Items.Count,
            left => left == 0, "pods and Service of RayCluster ok collected");
    }

    private Task CreateAsync(string ns, string name, params string[] groups) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = "ray.io/v1", ["kind"] = "RayCluster",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["headGroupSpec"] = new JsonObject { ["template"] = Template("ray-head") },
                ["workerGroupSpecs"] = new JsonArray([.. groups.Select(group => (JsonNode)new JsonObject
                {
                    ["groupName"] = group, ["replicas"] = 1, ["minReplicas"] = 1, ["maxReplicas"] = 1, ["template"] = Template("ray-worker"),
                })]),
            },
        }, "ray.io", "v1", ns, "rayclusters", cancellationToken: Timeout);

    private static JsonObject Template(string container) => new()
    {
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = container, ["image"] = "rayproject/ray:2.46.0" }) },
    };

    /// <summary>Merges <paramref name="patch"/> into the configuration's one webhook (objects merged key by key, as a JSON merge patch does).</summary>
    private async Task PatchWebhookAsync(JsonObject patch)
    {
        var configuration = await Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(Configuration, cancellationToken: Timeout);
        var webhook = JsonNode.Parse(KubernetesJson.Serialize(configuration.Webhooks[0]))!.AsObject();
        Merge(webhook, patch);
        configuration.Webhooks[0] = KubernetesJson.Deserialize<V1ValidatingWebhook>(webhook.ToJsonString());
        await Client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(configuration, Configuration, cancellationToken: Timeout);

        static void Merge(JsonObject target, JsonObject changes)
        {
            foreach (var (key, value) in changes)
                if (value is JsonObject inner && inner.Count > 0 && target[key] is JsonObject existing) Merge(existing, inner);
                else target[key] = value?.DeepClone();
        }
    }
}
