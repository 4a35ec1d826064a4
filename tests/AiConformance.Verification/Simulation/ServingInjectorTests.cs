using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The API server's mutating admission webhooks, through the serving-injector component with its
/// <c>phases-in-one-pod</c> fault: the webhook's JSON patch is applied to pods created through the API and by the
/// ReplicaSet controller; a webhook that cannot be called fails the request with failurePolicy Fail and is skipped with
/// Ignore; a webhook whose objectSelector does not select the pod is not called.
/// </summary>
public sealed class ServingInjectorTests : SimulatedClusterFixture
{
    private const string Configuration = "serving-injector";

    protected override string ScenarioYaml => """
        name: serving-injector-tests
        kubernetesVersion: v1.35
        nodes:
          - name: worker
            capacity: {cpu: "16", memory: 64Gi}
        components:
          nodes: {}
          namespace-defaults: {}
          scheduler: {}
          kubelet: {}
          replicaset-controller: {}
          deployment-controller: {}
          endpointslice-controller: {}
          serving-injector: {options: {fault: phases-in-one-pod}}
        """;

    /// <summary>
    /// The webhook's failurePolicy is Ignore: until the injector's pod is ready behind its Service, pods are admitted
    /// unpatched, as on a real cluster while the injector starts.
    /// </summary>
    [SetUp]
    public Task InjectorIsServing() => ReadyEndpointsAsync("serving-system", "serving-injector-webhook", 1);

    [Test]
    public async Task APodCreatedThroughTheApiIsPatchedToServeBothPhases()
    {
        var ns = await NewNamespaceAsync();
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(ServeModelPod("prefill", "--phase", "prefill"), ns, cancellationToken: Timeout);
        Assert.That(pod.Spec.Containers[0].Command, Is.EqualTo(new[] { "aiconformance", "serve-model", "--port", "8000", "--phase", "both" }));
    }

    [Test]
    public async Task APodTheReplicaSetControllerCreatesIsPatchedToServeBothPhases()
    {
        var ns = await NewNamespaceAsync();
        var template = Template(ServeModelPod("decode", "--phase", "decode", "--prefill-url", "http://prefill:8000"));
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "decode" },
            Spec = new V1DeploymentSpec { Replicas = 1, Selector = new V1LabelSelector { MatchLabels = template.Metadata.Labels }, Template = template },
        }, ns, cancellationToken: Timeout);
        var pod = await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items.SingleOrDefault(),
            found => found is not null, "the decode Deployment's pod");
        Assert.That(pod!.Spec.Containers[0].Command, Is.EqualTo(new[] { "aiconformance", "serve-model", "--port", "8000", "--phase", "both" }));
    }

    [Test]
    public async Task AServeModelWithoutAPhaseIsAdmittedUnchanged()
    {
        var ns = await NewNamespaceAsync();
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(ServeModelPod("plain"), ns, cancellationToken: Timeout);
        Assert.That(pod.Spec.Containers[0].Command, Is.EqualTo(new[] { "aiconformance", "serve-model", "--port", "8000" }));
    }

    [Test]
    public async Task AnUnreachableWebhookFailsThePodWithFailurePolicyFailAndIsSkippedWithIgnore()
    {
        var ns = await NewNamespaceAsync();
        var original = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Configuration, cancellationToken: Timeout);
        await ChangeWebhookAsync(webhook =>
        {
            webhook.ClientConfig.Service.Name = "missing";
            webhook.FailurePolicy = "Fail";
        });
        try
        {
            var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(ServeModelPod("fails", "--phase", "prefill"), ns, cancellationToken: Timeout))!;
            Assert.That((int)error.Response.StatusCode, Is.EqualTo(500));
            Assert.That(KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message, Is.EqualTo(
                "Internal error occurred: failed calling webhook \"pods.injector.serving.example.com\": failed to call webhook: " +
                "Post \"https://missing.serving-system.svc:443/mutate-v1-pod?timeout=10s\": service \"missing\" not found"));

            await ChangeWebhookAsync(webhook => webhook.FailurePolicy = "Ignore");
            var pod = await Client.CoreV1.CreateNamespacedPodAsync(ServeModelPod("skipped", "--phase", "prefill"), ns, cancellationToken: Timeout);
            Assert.That(pod.Spec.Containers[0].Command, Does.Contain("prefill"), "the pod as sent, since the webhook was skipped");
        }
        finally
        {
            await RestoreAsync(original);
        }
    }

    [Test]
    public async Task AWebhookWhoseObjectSelectorDoesNotSelectThePodIsNotCalled()
    {
        var ns = await NewNamespaceAsync();
        var original = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Configuration, cancellationToken: Timeout);
        await ChangeWebhookAsync(webhook => webhook.ObjectSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["serving-injection"] = "enabled" } });
        try
        {
            var pod = await Client.CoreV1.CreateNamespacedPodAsync(ServeModelPod("unselected", "--phase", "prefill"), ns, cancellationToken: Timeout);
            Assert.That(pod.Spec.Containers[0].Command, Does.Contain("prefill"), "the pod as sent, since its labels do not match the objectSelector");
        }
        finally
        {
            await RestoreAsync(original);
        }
    }

    private static V1PodTemplateSpec Template(V1Pod pod) => new() { Metadata = new V1ObjectMeta { Labels = pod.Metadata.Labels }, Spec = pod.Spec };

    private static V1Pod ServeModelPod(string name, params string[] arguments) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = name } },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "serve-model", Image = "ghcr.io/example/aiconformance:test", Command = ["aiconformance", "serve-model", "--port", "8000", .. arguments] }],
        },
    };

    private async Task ChangeWebhookAsync(Action<V1MutatingWebhook> change)
    {
        var configuration = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Configuration, cancellationToken: Timeout);
        change(configuration.Webhooks[0]);
        await Client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(configuration, Configuration, cancellationToken: Timeout);
    }

    private async Task RestoreAsync(V1MutatingWebhookConfiguration original)
    {
        var current = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Configuration, cancellationToken: Timeout);
        original.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
        await Client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(original, Configuration, cancellationToken: Timeout);
    }
}
