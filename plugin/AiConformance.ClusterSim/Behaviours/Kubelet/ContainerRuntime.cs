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

    /// <summary>The options it reads (from its RuntimeClass's <c>options</c>, or the kubelet's for pods without one), each with the values it takes.</summary>
    IReadOnlyList<RuntimeOption> Options { get; }

    ContainerSandbox Create(ContainerContext context);
}

/// <summary>An option of a container runtime and the values it takes (<c>true</c>, <c>false</c>; a fault's names).</summary>
public sealed record RuntimeOption(string Name, IReadOnlyList<string> Values)
{
    public static RuntimeOption Flag(string name) => new(name, ["true", "false"]);
}

/// <summary>The runtimes scenarios can name; accelerator-specific ones register themselves here.</summary>
public static class ContainerRuntimes
{
    /// <summary>The runtime of pods without a RuntimeClass, unless the kubelet's <c>runtime</c> option names another.</summary>
    public static readonly IContainerRuntime Default = new RuncRuntime();

    private static readonly Dictionary<string, IContainerRuntime> Registered = new(StringComparer.Ordinal)
    {
        [Default.Name] = Default,
    };

    public static IEnumerable<string> Names => Registered.Keys;

    public static IReadOnlyDictionary<string, IContainerRuntime> ByName => Registered;

    public static IContainerRuntime Get(string name) => Registered[name];

    public static void Register(IContainerRuntime runtime) => Registered[runtime.Name] = runtime;

    /// <summary>What is wrong with <paramref name="options"/> given to <paramref name="runtime"/> at <paramref name="at"/>, one line each.</summary>
    public static IEnumerable<string> Problems(IContainerRuntime runtime, IReadOnlyDictionary<string, string> options, string at)
    {
        foreach (var (key, value) in options)
        {
            if (runtime.Options.FirstOrDefault(option => option.Name == key) is not { } option)
                yield return $"{at}.{key} is not an option of runtime {runtime.Name}; known: {(runtime.Options.Count == 0 ? "none" : string.Join(", ", runtime.Options.Select(o => o.Name)))}";
            else if (!option.Values.Contains(value))
                yield return $"{at}.{key} '{value}' is not one of {string.Join(", ", option.Values)}";
        }
    }
}
