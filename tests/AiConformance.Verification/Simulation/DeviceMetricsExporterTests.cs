using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Workloads.Metrics;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// One accelerator metrics exporter component as the tests see it: its vendor's devices, pods, port and series.
/// <paramref name="SeriesPerDevice"/> utilization series per device (neuron-monitor: one per NeuronCore, indexed across the
/// node), in units of <paramref name="Percent"/>; <paramref name="IdleSeries"/>: an idle device has its series too;
/// <paramref name="PodLabel"/>: the label naming the workload, if any.
/// </summary>
public sealed record ExporterUnderTest(string Component, string Vendor, string Resource, string Namespace, string PodSelector, int Port, string Utilization, string IndexLabel,
    int SeriesPerDevice = 1, double Percent = 1, bool IdleSeries = true, string? PodLabel = "pod")
{
    public override string ToString() => Component;

    /// <summary>The values of <see cref="IndexLabel"/> on the series of device <paramref name="index"/>.</summary>
    public IEnumerable<string> SeriesOf(int index) =>
        Enumerable.Range(index * SeriesPerDevice, SeriesPerDevice).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// The accelerator metrics exporter components (dcgm-exporter, AMD's device-metrics-exporter, AWS's neuron-monitor): the
/// DaemonSet pod on the accelerator node answers through the API server's pod proxy with series labelled with the device's
/// (or its cores') index; utilization follows the load the kubelet handed the device to.
/// </summary>
[TestFixtureSource(nameof(Exporters))]
public sealed class DeviceMetricsExporterTests(ExporterUnderTest exporter) : SimulatedClusterFixture
{
    public static IEnumerable<ExporterUnderTest> Exporters() =>
    [
        new("dcgm-exporter", "nvidia", "nvidia.com/gpu", "gpu-operator", "app=nvidia-dcgm-exporter", 9400, "DCGM_FI_DEV_GPU_UTIL", "gpu"),
        new("amd-device-metrics-exporter", "amd", "amd.com/gpu", "kube-amd-gpu", "app.kubernetes.io/name=metrics-exporter", 5000, "gpu_gfx_activity", "gpu_id"),
        new("neuron-monitor", "aws-neuron", "aws.amazon.com/neuron", "neuron-monitor", "app=neuron-monitor", 8000, "neuroncore_utilization_ratio", "neuroncore",
            SeriesPerDevice: 2, Percent: 0.01, IdleSeries: false, PodLabel: null),
    ];

    protected override string ScenarioYaml => $$"""
        name: exporter-tests
        kubernetesVersion: v1.35
        nodes:
          - name: plugin-node
            accelerators: [{vendor: {{exporter.Vendor}}, count: 2, via: devicePlugin}]
        components:
          nodes: {}
          device-plugins: {}
          namespace-defaults: {}
          scheduler: {}
          kubelet: {}
          {{exporter.Component}}: {}
        programs:
          - image: "*gpu-burn*"
            runsFor: null
            gpuUtilization: 80
        """;

    [Test]
    public async Task TheLoadedDevicesUtilizationRisesAndItsSeriesNameThePod()
    {
        var pod = await PodEventuallyAsync(exporter.Namespace, await ExporterPodAsync(), p => p.Status?.Phase == "Running", "Running");
        var idle = await ScrapeAsync(pod.Metadata.Name);
        Assert.That(idle.Samples(exporter.Utilization).Select(s => (s.Label(exporter.IndexLabel), s.Value)),
            exporter.IdleSeries ? Is.EquivalentTo(new[] { ("0", 0.0), ("1", 0.0) }) : Is.Empty, "utilization of the idle devices");

        var ns = await NewNamespaceAsync();
        var burn = Container("main", "example.com/gpu-burn:1");
        burn.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { [exporter.Resource] = new("1") } };
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "burn" }, Spec = new V1PodSpec { Containers = [burn] } },
            ns, cancellationToken: Timeout);
        await PodEventuallyAsync(ns, "burn", p => p.Status?.Phase == "Running", "Running");
        var index = Host.Cluster.DeviceUsage.All.Single(u => u.Namespace == ns).Devices.Single().Index;
        var loaded = exporter.SeriesOf(index).ToList();
        var other = exporter.SeriesOf(1 - index).ToList();

        // The process starts right after the status says Running; scrape until its load shows, as Prometheus would.
        IReadOnlyList<MetricSample> busy;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            busy = (await ScrapeAsync(pod.Metadata.Name)).Samples(exporter.Utilization);
            if (busy.Any(s => loaded.Contains(s.Label(exporter.IndexLabel)!) && s.Value > 0) || DateTime.UtcNow > deadline) break;
            await Task.Delay(20);
        }
        var ofLoaded = busy.Where(s => loaded.Contains(s.Label(exporter.IndexLabel)!)).ToList();
        var ofOther = busy.Where(s => other.Contains(s.Label(exporter.IndexLabel)!)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ofLoaded.Select(s => (s.Label(exporter.IndexLabel), s.Value)), Is.EquivalentTo(loaded.Select(i => (i, 80 * exporter.Percent))), "the loaded device");
            Assert.That(ofLoaded.Select(s => s.Label("pod")), Has.All.EqualTo(exporter.PodLabel is null ? null : "burn"));
            Assert.That(ofOther.Select(s => s.Value), exporter.IdleSeries ? Is.EqualTo(new[] { 0.0 }) : Is.Empty, "the other device");
            Assert.That(ofOther.Select(s => s.Label("pod")), Has.All.Null);
        });
    }

    [Test]
    public async Task APortNobodyListensOnIsAnswered503AsKubeApiserverWordsIt()
    {
        var pod = await ExporterPodAsync();
        await PodEventuallyAsync(exporter.Namespace, pod, p => p.Status?.Phase == "Running", "Running");
        var error = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:{exporter.Port + 1}", exporter.Namespace, "metrics", cancellationToken: Timeout))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)error.Response.StatusCode, Is.EqualTo(503));
            Assert.That(error.Response.Content, Does.Match($@"error trying to reach service: dial tcp 10\.244\.\d+\.\d+:{exporter.Port + 1}: connect: connection refused"));
        });
    }

    [Test]
    public void AnUnknownOptionOrFaultIsAScenarioError()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("exporter-").FullName, "bad.yaml");
        File.WriteAllText(path, $"name: bad\nextends: reference\ncomponents:\n  {exporter.Component}: {{options: {{fault: melted, colour: red}}}}\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain($"components.{exporter.Component}.options.colour is not an option of {exporter.Component}; known: namespace, fault")
            .And.Contain("fault 'melted' is not an exporter fault"));
    }

    private async Task<string> ExporterPodAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var pods = await Client.CoreV1.ListNamespacedPodAsync(exporter.Namespace, labelSelector: exporter.PodSelector, cancellationToken: Timeout);
            if (pods.Items.FirstOrDefault() is { } pod) return pod.Metadata.Name;
            await Task.Delay(20);
        }
        Assert.Fail($"the {exporter.Component} DaemonSet created no pod");
        return "";
    }

    private async Task<Exposition> ScrapeAsync(string pod)
    {
        await using var body = await Client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:{exporter.Port}", exporter.Namespace, "metrics", cancellationToken: Timeout);
        return Exposition.Parse(await new StreamReader(body).ReadToEndAsync());
    }
}
