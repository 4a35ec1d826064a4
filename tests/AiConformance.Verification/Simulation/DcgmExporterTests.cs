using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Workloads.Metrics;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The dcgm-exporter component: its DaemonSet pod on the GPU node answers through the API server's pod proxy with one
/// series per GPU, labelled as the driver publishes the GPU; utilization follows the load the kubelet handed the GPU to.
/// </summary>
public sealed class DcgmExporterTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: exporter-tests
        kubernetesVersion: v1.35
        nodes:
          - name: plugin-node
            accelerators: [{vendor: nvidia, count: 2, via: devicePlugin}]
        components:
          nodes: {}
          device-plugins: {}
          namespace-defaults: {}
          scheduler: {}
          kubelet: {}
          dcgm-exporter: {}
        programs:
          - image: "*gpu-burn*"
            runsFor: null
            gpuUtilization: 80
        """;

    [Test]
    public async Task TheLoadedGpusUtilizationRisesAndItsSeriesNameThePod()
    {
        var exporter = await PodEventuallyAsync("gpu-operator", await ExporterPodAsync(), p => p.Status?.Phase == "Running", "Running");
        var idle = await ScrapeAsync(exporter.Metadata.Name);
        Assert.That(idle.Samples("DCGM_FI_DEV_GPU_UTIL").Select(s => (s.Label("gpu"), s.Value)), Is.EquivalentTo(new[] { ("0", 0.0), ("1", 0.0) }));

        var ns = await NewNamespaceAsync();
        var burn = Container("main", "example.com/gpu-burn:1");
        burn.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("1") } };
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "burn" }, Spec = new V1PodSpec { Containers = [burn] } },
            ns, cancellationToken: Timeout);
        await PodEventuallyAsync(ns, "burn", p => p.Status?.Phase == "Running", "Running");
        var uuid = Host.Cluster.DeviceUsage.All.Single(u => u.Namespace == ns).Devices.Single().Uuid;

        // The process starts right after the status says Running; scrape until its load shows, as Prometheus would.
        IReadOnlyList<MetricSample> busy;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            busy = (await ScrapeAsync(exporter.Metadata.Name)).Samples("DCGM_FI_DEV_GPU_UTIL");
            if (busy.Single(s => s.Label("UUID") == uuid).Value > 0 || DateTime.UtcNow > deadline) break;
            await Task.Delay(20);
        }
        Assert.Multiple(() =>
        {
            Assert.That(busy.Single(s => s.Label("UUID") == uuid).Value, Is.EqualTo(80), "the loaded GPU");
            Assert.That(busy.Single(s => s.Label("UUID") == uuid).Label("pod"), Is.EqualTo("burn"));
            Assert.That(busy.Single(s => s.Label("UUID") != uuid).Value, Is.Zero, "the other GPU");
            Assert.That(busy.Single(s => s.Label("UUID") != uuid).Label("pod"), Is.Null);
        });
    }

    [Test]
    public async Task APortNobodyListensOnIsAnswered503AsKubeApiserverWordsIt()
    {
        var pod = await ExporterPodAsync();
        await PodEventuallyAsync("gpu-operator", pod, p => p.Status?.Phase == "Running", "Running");
        var error = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:9401", "gpu-operator", "metrics", cancellationToken: Timeout))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)error.Response.StatusCode, Is.EqualTo(503));
            Assert.That(error.Response.Content, Does.Match(@"error trying to reach service: dial tcp 10\.244\.\d+\.\d+:9401: connect: connection refused"));
        });
    }

    [Test]
    public void AnUnknownOptionOrFaultIsAScenarioError()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("exporter-").FullName, "bad.yaml");
        File.WriteAllText(path, "name: bad\nextends: reference\ncomponents:\n  dcgm-exporter: {options: {fault: melted, colour: red}}\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain("components.dcgm-exporter.options.colour is not an option of dcgm-exporter; known: namespace, fault")
            .And.Contain("fault 'melted' is not an exporter fault"));
    }

    private async Task<string> ExporterPodAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var pods = await Client.CoreV1.ListNamespacedPodAsync("gpu-operator", labelSelector: "app=nvidia-dcgm-exporter", cancellationToken: Timeout);
            if (pods.Items.FirstOrDefault() is { } pod) return pod.Metadata.Name;
            await Task.Delay(20);
        }
        Assert.Fail("the dcgm-exporter DaemonSet created no pod");
        return "";
    }

    private async Task<Exposition> ScrapeAsync(string pod)
    {
        await using var body = await Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:9400", "gpu-operator", "metrics", cancellationToken: Timeout);
        return Exposition.Parse(await new StreamReader(body).ReadToEndAsync());
    }
}
