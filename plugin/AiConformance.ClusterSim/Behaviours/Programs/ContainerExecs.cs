using System.Collections.Concurrent;
using AiConformance.ClusterSim.Network;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// The running containers a command can be executed in (<c>kubectl exec</c>): the kubelet registers each container
/// instance when it starts it and removes it when its process ends. An exec'd command runs as the container's own
/// command line would (the plugin's workload roles, the scenario's modelled programs, else the shell utilities), with
/// the container's view, environment and pod network, and its output goes to the caller, not to the container log.
/// </summary>
public sealed class ContainerExecs
{
    private readonly ConcurrentDictionary<string, Target> running = new(StringComparer.Ordinal);

    internal sealed record Target(InMemoryContainerView View, string Image, string PluginImagePattern, SimulatedCluster Cluster, string Component, PodSandbox Sandbox, ContainerStdio Stdio);

    internal void Started(string ns, string pod, string container, Target target) => running[Key(ns, pod, container)] = target;

    internal void Stopped(string ns, string pod, string container, Target target) =>
        running.TryRemove(new KeyValuePair<string, Target>(Key(ns, pod, container), target));

    /// <summary>The command runner of a running container; null when the container is not running.</summary>
    public Api.ContainerCommand? For(string ns, string pod, string container)
    {
        if (!running.TryGetValue(Key(ns, pod, container), out var target)) return null;
        return (command, stdout, cancellation) =>
        {
            // Not the components' programs of the image: those are its main process, not what a command line runs.
            var program = ProgramCatalog.Resolve(target.Cluster.Scenario, target.Image, command, target.PluginImagePattern, installed: null);
            return program.RunAsync(new ProgramContext(target.View, target.Image, command, stdout, target.Cluster, target.Component, target.Sandbox), cancellation);
        };
    }

    /// <summary>The main process of a running container, to attach to; null when the container is not running.</summary>
    public Api.IAttachableProcess? AttachTo(string ns, string pod, string container) =>
        running.TryGetValue(Key(ns, pod, container), out var target) ? target.Stdio : null;

    private static string Key(string ns, string pod, string container) => $"{ns}/{pod}/{container}";
}
