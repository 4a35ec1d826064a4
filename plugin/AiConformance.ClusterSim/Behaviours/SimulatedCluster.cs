using System.Collections.Concurrent;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>Admits a creation as the API server would; mutating webhooks may change <paramref name="obj"/>.</summary>
public delegate Task CreationAdmission(ResourceKind kind, System.Text.Json.Nodes.JsonObject obj, CancellationToken cancellation);

/// <summary>What every behaviour shares: the store, the scenario, its devices, events, logs and the pod network.</summary>
public sealed class SimulatedCluster
{
    public SimulatedCluster(IClusterStore store, Scenario scenario)
    {
        Store = store;
        Scenario = scenario;
        Events = new EventRecorder(store);
        Devices = new DeviceInventory(NodeNames(scenario));
        Network = new Network.PodNetwork(store);
    }

    public IClusterStore Store { get; }

    public Scenario Scenario { get; }

    public Latencies Latencies => Scenario.Latencies ?? new Latencies();

    public EventRecorder Events { get; }

    public DeviceInventory Devices { get; }

    /// <summary>Which containers use which devices now, as the kubelets handed them out.</summary>
    public Kubelet.DeviceUsage DeviceUsage { get; } = new();

    public PodLogBook Logs { get; } = new();

    /// <summary>Programs the components provide for their own images.</summary>
    public Programs.InstalledPrograms Programs { get; } = new();

    /// <summary>The running containers that <c>kubectl exec</c> reaches; the kubelet registers them.</summary>
    public Programs.ContainerExecs Execs { get; } = new();

    /// <summary>Pod addresses, listeners, cluster DNS and Service routing.</summary>
    public Network.PodNetwork Network { get; }

    public SimulationLog Log { get; } = new();

    /// <summary>
    /// The API server's admission webhooks for an object a controller creates (a real controller creates through the
    /// API); the simulation host connects it to the server. Admits everything unchanged until then.
    /// </summary>
    public CreationAdmission AdmitCreation { get; set; } = (_, _, _) => Task.CompletedTask;

    /// <summary>The extension API servers running in the cluster (metrics adapters), reached through the aggregation layer.</summary>
    public Server.AggregatedApis AggregatedApis { get; } = new();

    /// <summary>The backendRef kinds beyond Services that components extend the gateway implementation with (InferencePools).</summary>
    public Modules.Gateways.BackendExtensions GatewayBackends { get; } = new();

    /// <summary>The options of a component, or null when the scenario does not enable it.</summary>
    public ComponentOptions? Component(string name) =>
        Scenario.Components is { } components && components.TryGetValue(name, out var options) && options.Enabled ? options : null;

    /// <summary>
    /// The typed options of a component (its defaults when the scenario does not enable it); a scenario that was
    /// loaded has been checked already, one built in code is refused here with the same lines.
    /// </summary>
    public TOptions Options<TOptions>(string component) where TOptions : IComponentOptions<TOptions>
    {
        var (options, problems) = ComponentOptionReader.Read<TOptions>(component, Component(component));
        return problems.Count == 0 ? options : throw new ScenarioException(string.Join("\n", problems));
    }

    private readonly ConcurrentDictionary<string, NodeGroup> addedNodes = new(StringComparer.Ordinal);
    private int addedOrdinals;

    /// <summary>The group a node belongs to: a scenario node's, or the group an autoscaler added it to; null for none.</summary>
    public NodeGroup? NodeGroupOf(string node) =>
        addedNodes.TryGetValue(node, out var added) ? added
            : NodeNames(Scenario).Where(n => n.Node == node).Select(n => n.Group).FirstOrDefault();

    /// <summary>
    /// Records a node an autoscaler brings into <paramref name="group"/>, with its devices when it
    /// <paramref name="withAccelerators"/>; returns its ordinal (its address and pod range, never reused).
    /// </summary>
    public int AddNode(string node, NodeGroup group, bool withAccelerators)
    {
        addedNodes[node] = group;
        if (withAccelerators) Devices.Add(node, group);
        return NodeNames(Scenario).Count() + Interlocked.Increment(ref addedOrdinals) - 1;
    }

    /// <summary>Forgets a node an autoscaler removed, and its devices.</summary>
    public void RemoveNode(string node)
    {
        addedNodes.TryRemove(node, out _);
        Devices.Remove(node);
    }

    /// <summary>Node names the scenario's groups expand to, with their group.</summary>
    public static IEnumerable<(string Node, NodeGroup Group)> NodeNames(Scenario scenario) =>
        (scenario.Nodes ?? []).SelectMany(group => group.Count == 1
            ? [(group.Name, group)]
            : Enumerable.Range(0, group.Count).Select(i => ($"{group.Name}-{i}", group)));
}
