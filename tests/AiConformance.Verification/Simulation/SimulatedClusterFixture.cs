using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>A running simulated cluster per fixture, driven through the real KubernetesClient as cluster admin.</summary>
public abstract class SimulatedClusterFixture
{
    protected SimulationHost Host { get; private set; } = null!;
    protected Kubernetes Client { get; private set; } = null!;
    private string workDirectory = "";

    /// <summary>The scenario, as YAML; by default a small cluster with one DRA GPU node and one device-plugin node.</summary>
    protected virtual string ScenarioYaml => """
        name: behaviour-tests
        kubernetesVersion: v1.35
        nodes:
          - name: control-plane
            controlPlane: true
            taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
          - name: dra-node
            accelerators: [{vendor: nvidia, count: 2, via: dra}]
          - name: plugin-node
            labels: {pool: plugin}
            accelerators: [{vendor: nvidia, count: 2, via: devicePlugin}]
        programs:
          - image: "*cuda-sample*"
            output: "Test PASSED\n"
            requires: gpu
            otherwise: {output: "no CUDA-capable device is detected\n", exitCode: 1}
        """;

    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [OneTimeSetUp]
    public async Task StartClusterAsync()
    {
        workDirectory = Directory.CreateTempSubdirectory("simulation-").FullName;
        var scenarioFile = Path.Combine(workDirectory, "scenario.yaml");
        await File.WriteAllTextAsync(scenarioFile, ScenarioYaml);
        Host = await SimulationHost.StartAsync(ScenarioLoader.Load(scenarioFile), Timeout);
        var kubeconfig = Path.Combine(workDirectory, "admin.kubeconfig");
        Host.Server.WriteKubeconfig(kubeconfig, KubeconfigIdentity.Admin);
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    [OneTimeTearDown]
    public async Task StopClusterAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(workDirectory, recursive: true);
    }

    /// <summary>A run of the Suite's toolkit against this cluster, as the runner would set it up.</summary>
    protected AiConformance.Suite.Framework.RunContext NewRunContext(AiConformance.Suite.Framework.SuiteConfiguration? configuration = null) => new()
    {
        Kubernetes = Client, RunId = AiConformance.Suite.Framework.RunContext.NewRunId(),
        Checklist = AiConformance.Checklist.ChecklistCatalog.Newest,
        Configuration = configuration ?? AiConformance.Suite.Framework.SuiteConfiguration.Empty, Cancellation = Timeout,
    };

    protected async Task<string> NewNamespaceAsync()
    {
        var ns = await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = "sim-" } }, cancellationToken: Timeout);
        return ns.Metadata.Name;
    }

    /// <summary>Reads until <paramref name="done"/> holds of what was read; fails after 20 s.</summary>
    protected static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var seen = await read();
            if (done(seen)) return seen;
            if (DateTime.UtcNow > deadline) Assert.Fail($"waited 20 s for {what}");
            await Task.Delay(20);
        }
    }

    protected Task PodGoneAsync(string ns, string name) =>
        Watching.UntilAsync<V1Pod, V1PodList>(
            token => Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: $"metadata.name={name}", cancellationToken: token),
            (version, token) => Client.CoreV1.WatchListNamespacedPodAsync(ns, fieldSelector: $"metadata.name={name}", resourceVersion: version, cancellationToken: token),
            pods => pods.Count == 0, $"pod {ns}/{name} is deleted");

    protected Task<List<V1EndpointSlice>> ReadyEndpointsAsync(string ns, string service, int count) =>
        EndpointSlicesUntilAsync(ns, service, slices => slices.Sum(s => s.Endpoints?.Count(e => e.Conditions.Ready == true) ?? 0) == count,
            $"{count} ready endpoint(s) of {service}");

    protected Task<List<V1EndpointSlice>> EndpointSlicesUntilAsync(string ns, string service, Func<IReadOnlyList<V1EndpointSlice>, bool> holds, string what)
    {
        var selector = $"kubernetes.io/service-name={service}";
        return Watching.UntilAsync<V1EndpointSlice, V1EndpointSliceList>(
            token => Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: selector, cancellationToken: token),
            (version, token) => Client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(ns, labelSelector: selector, resourceVersion: version, cancellationToken: token),
            holds, what);
    }

    /// <summary>Polls until <paramref name="condition"/> holds on the pod; fails with the pod's last status otherwise.</summary>
    protected async Task<V1Pod> PodEventuallyAsync(string ns, string name, Func<V1Pod, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        V1Pod pod;
        do
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: Timeout);
            if (condition(pod)) return pod;
            await Task.Delay(20);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"pod {ns}/{name} never got {what}; last status: {KubernetesJson.Serialize(pod.Status)}");
        return pod;
    }

    /// <summary>The container log once it satisfies <paramref name="ready"/> (a process writes after its container starts).</summary>
    protected async Task<string> LogEventuallyAsync(string ns, string pod, Func<string, bool> ready)
    {
        var log = "";
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, cancellationToken: Timeout);
            log = await new StreamReader(stream).ReadToEndAsync();
            if (ready(log)) return log;
            await Task.Delay(20);
        }
        return log;
    }

    protected static V1Container Container(string name, string image, params string[] command) => new()
    {
        Name = name,
        Image = image,
        Command = command.Length == 0 ? null : command,
    };
}
