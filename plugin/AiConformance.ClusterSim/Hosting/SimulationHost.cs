using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Server;

namespace AiConformance.ClusterSim.Hosting;

/// <summary>
/// A running simulated cluster: the API server configured from the scenario (version, extra APIs, CRDs, faults)
/// and the scenario's behaviours acting on its store. Disposing stops the behaviours, then the server.
/// </summary>
public sealed class SimulationHost : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> running = [];

    private SimulationHost(Scenario scenario, SimulatedApiServer server)
    {
        Scenario = scenario;
        Server = server;
        Cluster = new SimulatedCluster(server.Store, scenario);
        server.LogProvider = (ns, pod, container, previous) => Cluster.Logs.Read(ns, pod, container, previous);
        server.AggregatedApis = Cluster.AggregatedApis;
        server.PodProxy = Cluster.Network.ProxyToPodAsync;
        server.WebhookConnector = Cluster.Network.ConnectToServiceAsync;
        Cluster.AdmitCreation = server.AdmitCreationAsync;
        server.PodExec = Cluster.Execs.For;
        server.PodAttach = Cluster.Execs.AttachTo;
        server.PodPortConnector = Cluster.Network.ConnectInsidePodAsync;
    }

    public Scenario Scenario { get; }

    public SimulatedApiServer Server { get; }

    public SimulatedCluster Cluster { get; }

    /// <summary>Loads the scenario (embedded name or file) and starts it.</summary>
    public static Task<SimulationHost> StartAsync(string scenarioNameOrFile, CancellationToken cancellationToken) =>
        StartAsync(ScenarioLoader.Load(scenarioNameOrFile), cancellationToken);

    public static async Task<SimulationHost> StartAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var server = await SimulatedApiServer.StartAsync(new SimulatedApiServerOptions
        {
            KubernetesVersion = scenario.KubernetesVersion ?? "v1.35",
            EnabledAlphaGroupVersions = scenario.EnabledApis ?? [],
            CrdManifests = (scenario.Crds ?? []).SelectMany(CrdManifests).ToList(),
            Faults = scenario.Faults ?? new ApiFaults(),
        }, cancellationToken);
        var host = new SimulationHost(scenario, server);
        foreach (var (name, options) in scenario.Components ?? [])
        {
            if (!options.Enabled) continue;
            var behaviour = BehaviourCatalog.Create(name);
            host.running.Add(Task.Run(() => host.RunBehaviourAsync(behaviour), CancellationToken.None));
        }
        await host.WaitUntilSettledAsync(cancellationToken);
        return host;
    }

    private async Task RunBehaviourAsync(IClusterBehaviour behaviour)
    {
        try
        {
            await behaviour.RunAsync(Cluster, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Cluster.Log.Warn(behaviour.Name, $"stopped after an unexpected error: {e}");
        }
    }

    /// <summary>
    /// Waits (up to 15 s) until every scenario node is registered and every DRA driver has published its slices, then
    /// (up to 30 s in all) until the Deployments the components installed have their pods ready: a cluster is tested
    /// with its add-ons running, as an operator installs them before running conformance.
    /// </summary>
    private async Task WaitUntilSettledAsync(CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var nodes = SimulatedCluster.NodeNames(Scenario).Select(n => n.Node).ToList();
        var publishesSlices = Cluster.Component(DraDriverBehaviour.ComponentName) is not null;
        var expectedSlices = publishesSlices ? Cluster.Devices.All.Where(d => d.ViaDra).Select(d => (d.Node, d.Driver)).Distinct().Count() : 0;
        var watchesNodes = Cluster.Component(NodesBehaviour.ComponentName) is not null;
        bool Registered() => (!watchesNodes || nodes.All(n => Server.Store.Get(Kinds.Node, null, n) is not null))
                             && Server.Store.List(Kinds.ResourceSlice).Count >= expectedSlices;
        while (!Registered())
        {
            if (DateTime.UtcNow - started > TimeSpan.FromSeconds(15))
            {
                Cluster.Log.Warn("simulation", "the cluster did not settle within 15 s (nodes or ResourceSlices missing)");
                return;
            }
            await Task.Delay(10, cancellationToken);
        }
        while (UnreadyDeployments() is { Count: > 0 } unready)
        {
            if (DateTime.UtcNow - started > TimeSpan.FromSeconds(30))
            {
                Cluster.Log.Info("simulation", $"starting with Deployments not ready yet: {string.Join(", ", unready)}");
                return;
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private List<string> UnreadyDeployments() =>
    [
        .. Server.Store.List(Kinds.Deployment)
            .Where(d => (JsonNumber.Int(d["status"]?["readyReplicas"]) ?? 0) < (JsonNumber.Int(d["spec"]?["replicas"]) ?? 1))
            .Select(d => $"{d.Namespace()}/{d.Name()}"),
    ];

    /// <summary>An embedded CRD folder or file (<c>kueue-v0.19.2</c>, as <see cref="EmbeddedCrds"/> lists them) or a file path.</summary>
    private static IReadOnlyList<string> CrdManifests(string reference)
    {
        if (File.Exists(reference)) return [File.ReadAllText(reference)];
        try
        {
            return EmbeddedCrds.Read(reference);
        }
        catch (ArgumentException)
        {
            throw new ScenarioException($"crds: '{reference}' is neither an embedded CRD folder nor a file. Embedded: {string.Join(", ", EmbeddedCrds.Folders())}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try { await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (TimeoutException) { }
        await Server.DisposeAsync();
        stop.Dispose();
    }
}
