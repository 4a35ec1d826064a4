using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>The patch formats clients send, and the subresources they use: log, scale, binding.</summary>
public sealed class PatchAndSubresourceTests : FidelityFixture
{
    private static V1Deployment Deployment(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container { Name = "a", Image = "a:1", Env = [new V1EnvVar { Name = "KEEP", Value = "1" }] },
                        new V1Container { Name = "b", Image = "b:1" },
                    ],
                },
            },
        },
    };

    [Test]
    public async Task StrategicMergeMergesContainersByName()
    {
        var ns = await NewNamespaceAsync();
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns, cancellationToken: Timeout);
        var patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[{\"name\":\"ADDED\",\"value\":\"2\"}]}]}}}}";
        var patched = await Admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "d", ns, cancellationToken: Timeout);
        var containers = patched.Spec.Template.Spec.Containers;
        Assert.That(containers.Select(c => c.Name), Is.EqualTo(new[] { "a", "b" }), "a merge by name keeps the other container");
        Assert.That(containers[0].Env.Select(e => e.Name), Is.EqualTo(new[] { "KEEP", "ADDED" }));
        Assert.That(patched.Metadata.Generation, Is.EqualTo(2), "a spec change bumps the generation");
    }

    [Test]
    public async Task RetainKeysClearsTheOtherMembersOfAUnion()
    {
        var ns = await NewNamespaceAsync();
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns, cancellationToken: Timeout);
        var patch = "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}";
        var patched = await Admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "d", ns, cancellationToken: Timeout);
        Assert.That(patched.Spec.Strategy.Type, Is.EqualTo("Recreate"));
        Assert.That(patched.Spec.Strategy.RollingUpdate, Is.Null, "the defaulted rollingUpdate goes with the union switch");
    }

    [Test]
    public async Task MetadataOnlyListsCarryPartialObjectMetadata()
    {
        var ns = await NewNamespaceAsync();
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns, cancellationToken: Timeout);
        using var http = Server.CreateHttpClient(KubeconfigIdentity.Admin);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/apps/v1/namespaces/{ns}/deployments");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        using var response = await http.SendAsync(request, Timeout);
        var body = await response.Content.ReadAsStringAsync(Timeout);
        Assert.That(body, Does.Contain("\"kind\":\"PartialObjectMetadataList\"").And.Contain("\"name\":\"d\"").And.Not.Contain("\"spec\""));
    }

    [Test]
    public async Task MergePatchReplacesListsAndJsonPatchEditsByPointer()
    {
        var ns = await NewNamespaceAsync();
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns, cancellationToken: Timeout);
        var merged = await Admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            "{\"metadata\":{\"labels\":{\"x\":\"y\"}},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"only\",\"image\":\"o:1\"}]}}}}",
            V1Patch.PatchType.MergePatch), "d", ns, cancellationToken: Timeout);
        Assert.That(merged.Spec.Template.Spec.Containers.Select(c => c.Name), Is.EqualTo(new[] { "only" }));
        Assert.That(merged.Metadata.Labels["x"], Is.EqualTo("y"));

        var jsonPatched = await Admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3},{\"op\":\"add\",\"path\":\"/metadata/labels/z\",\"value\":\"w\"}]",
            V1Patch.PatchType.JsonPatch), "d", ns, cancellationToken: Timeout);
        Assert.That(jsonPatched.Spec.Replicas, Is.EqualTo(3));
        Assert.That(jsonPatched.Metadata.Labels["z"], Is.EqualTo("w"));
    }

    [Test]
    public async Task DryRunAnswersWithoutWriting()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns, cancellationToken: Timeout);
        var answer = await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"dry\"}}", V1Patch.PatchType.MergePatch),
            "cm", ns, dryRun: "All", cancellationToken: Timeout);
        Assert.That(answer.Data["k"], Is.EqualTo("dry"));
        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("cm", ns, dryRun: "All", cancellationToken: Timeout);
        var stored = await Admin.CoreV1.ReadNamespacedConfigMapAsync("cm", ns, cancellationToken: Timeout);
        Assert.That(stored.Data["k"], Is.EqualTo("v"));
    }

    [Test]
    public async Task ServerSideApplyCreatesThenMerges()
    {
        var ns = await NewNamespaceAsync();
        const string applied = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},\"data\":{\"a\":\"1\"}}";
        var created = await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "test", cancellationToken: Timeout);
        Assert.That(created.Data["a"], Is.EqualTo("1"));
        var merged = await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(applied.Replace("\"a\":\"1\"", "\"b\":\"2\""), V1Patch.PatchType.ApplyPatch), "applied", ns, fieldManager: "test", cancellationToken: Timeout);
        Assert.That(merged.Data["b"], Is.EqualTo("2"));
    }

    [Test]
    public async Task ScaleSubresourceReadsAndWritesReplicas()
    {
        var ns = await NewNamespaceAsync();
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns, cancellationToken: Timeout);
        var scale = await Admin.AppsV1.ReadNamespacedDeploymentScaleAsync("d", ns, cancellationToken: Timeout);
        Assert.That(scale.Spec.Replicas, Is.EqualTo(1));
        Assert.That(scale.Status.Selector, Is.EqualTo("app=d"));
        scale.Spec.Replicas = 4;
        await Admin.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "d", ns, cancellationToken: Timeout);
        Assert.That((await Admin.AppsV1.ReadNamespacedDeploymentAsync("d", ns, cancellationToken: Timeout)).Spec.Replicas, Is.EqualTo(4));
    }

    [Test]
    public async Task PodLogsComeFromTheRegisteredProvider()
    {
        var ns = await NewNamespaceAsync();
        var pod = Pod("logger");
        pod.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "s:1" });
        await Plugin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);
        Server.LogProvider = (podNs, podName, container, previous) => !previous && podNs == ns && podName == "logger" ? $"line 1 of {container}\nline 2 of {container}\n" : null;

        using var stream = await Plugin.CoreV1.ReadNamespacedPodLogAsync("logger", ns, container: "sidecar", tailLines: 1, cancellationToken: Timeout);
        Assert.That(await new StreamReader(stream).ReadToEndAsync(Timeout), Is.EqualTo("line 2 of sidecar\n"));

        var (code, status) = await FailureOf(() => Plugin.CoreV1.ReadNamespacedPodLogAsync("logger", ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(400));
        Assert.That(status!.Message, Is.EqualTo("a container name must be specified for pod logger, choose one of: [main sidecar]"));
    }

    [Test]
    public async Task BindingAssignsTheNodeOnce()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedPodAsync(Pod("b"), ns, cancellationToken: Timeout);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "b" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } };
        await Admin.CoreV1.CreateNamespacedPodBindingAsync(binding, "b", ns, cancellationToken: Timeout);
        Assert.That((await Admin.CoreV1.ReadNamespacedPodAsync("b", ns, cancellationToken: Timeout)).Spec.NodeName, Is.EqualTo("node-1"));
        var (code, _) = await FailureOf(() => Admin.CoreV1.CreateNamespacedPodBindingAsync(binding, "b", ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(409));
    }
}
