using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>Everything a runtime needs to build one container: the pod, the node, the devices handed to it.</summary>
public sealed record ContainerContext(
    SimulatedCluster Cluster,
    JsonObject Node,
    NodeGroup? NodeGroup,
    JsonObject Pod,
    JsonObject Container,
    IReadOnlyList<SimulatedDevice> DraDevices,
    IReadOnlyList<SimulatedDevice> DevicePluginDevices,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, string> RuntimeOptions);

/// <summary>A started container's view, or why the runtime could not create it (the kubelet's event message).</summary>
public sealed record ContainerSandbox(InMemoryContainerView? View, string? Failure = null);

/// <summary>
/// A simulated container runtime (runc, a sandboxed runtime, a broken one): builds what a process in the container
/// sees. The scenario's RuntimeClasses name which one runs a pod; runc runs pods without one.
/// </summary>
public interface IContainerRuntime
{
    string Name { get; }

    ContainerSandbox Create(ContainerContext context);
}

/// <summary>The runtimes scenarios can name; accelerator-specific ones register themselves here.</summary>
public static class ContainerRuntimes
{
    private static readonly Dictionary<string, IContainerRuntime> Registered = new(StringComparer.Ordinal)
    {
        ["runc"] = new RuncRuntime(),
    };

    public static IEnumerable<string> Names => Registered.Keys;

    public static bool Knows(string name) => Registered.ContainsKey(name);

    public static IContainerRuntime Get(string name) => Registered[name];

    public static void Register(IContainerRuntime runtime) => Registered[runtime.Name] = runtime;
}
