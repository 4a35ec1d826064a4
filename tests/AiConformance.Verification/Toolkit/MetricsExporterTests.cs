using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Metrics;
using AiConformance.Verification.Simulation;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>
/// Finding an exporter's pod on a node: a node that joined the cluster just before the exporter's pods were listed
/// (an autoscaler's new node) gets its DaemonSet pod a moment later, and the toolkit waits for it; a node that never
/// gets one is answered with none once the time a pod has to start, counted from the node's creation, is over.
/// </summary>
public sealed class MetricsExporterTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: exporter-pods
        kubernetesVersion: v1.35
        nodes:
          - name: worker
        components:
          nodes: {}
          kubelet: {}
          namespace-defaults: {}
        """;

    [Test]
    public async Task ANodeThatJoinedBeforeTheExporterWasFoundIsGivenItsPodOnceTheDaemonSetMakesIt()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNodeAsync(Node("joining", "10.244.9.0/24"), cancellationToken: Timeout);
        var exporter = await ExporterWithPodOnWorkerAsync(ns);
        var daemonSet = exporter.Pods[0].Metadata.OwnerReferences[0];

        var finding = exporter.RunningPodOnAsync(NewRunContext(), "joining");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(finding.IsCompleted, Is.False, "the toolkit waits for the pod of a node that joined a moment ago");
        await Client.CoreV1.CreateNamespacedPodAsync(ExporterPod("exporter-joining", "joining", daemonSet), ns, cancellationToken: Timeout);

        Assert.That((await finding)?.Metadata.Name, Is.EqualTo("exporter-joining"));
    }

    [Test]
    public async Task ANodeThatNeverGetsItsPodHasNoneOnceItsTimeToStartOneIsOver()
    {
        var ns = await NewNamespaceAsync();
        var exporter = await ExporterWithPodOnWorkerAsync(ns);
        await Client.CoreV1.CreateNodeAsync(Node("bare", "10.244.8.0/24"), cancellationToken: Timeout);
        // Pods are given 3 s to start here: the node is over that soon after it joined.
        var run = NewRunContext(new SuiteConfiguration(new Dictionary<string, string> { ["timeouts.scale"] = "0.01" }));

        Assert.That(await exporter.RunningPodOnAsync(run, "bare"), Is.Null);
        Assert.That(await exporter.RunningPodOnAsync(run, "bare"), Is.Null, "a node older than that is looked at once");
    }

    /// <summary>The exporter as detection finds it: its DaemonSet's pod on the scenario's node (the garbage collector removes pods whose owner does not exist).</summary>
    private async Task<MetricsExporter> ExporterWithPodOnWorkerAsync(string ns)
    {
        var labels = new Dictionary<string, string> { ["app"] = "nvidia-dcgm-exporter" };
        var daemonSet = await Client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "nvidia-dcgm-exporter" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [Container("exporter", "registry.k8s.io/pause:3.10")] } },
            },
        }, ns, cancellationToken: Timeout);
        var owner = new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = daemonSet.Metadata.Name, Uid = daemonSet.Metadata.Uid, Controller = true };
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(ExporterPod("exporter-worker", "worker", owner), ns, cancellationToken: Timeout);
        return new MetricsExporter(ExporterProfile.Dcgm, [pod], "detected");
    }

    private static V1Node Node(string name, string podCidr) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] } };

    private static V1Pod ExporterPod(string name, string node, V1OwnerReference daemonSet) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["app"] = "nvidia-dcgm-exporter" },
            OwnerReferences = [daemonSet],
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [Container("exporter", "registry.k8s.io/pause:3.10")] },
    };
}
