using AiConformance.ClusterSim.Behaviours.Controllers;
using AiConformance.ClusterSim.Behaviours.Dra;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Gangs.Kueue;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// The components a scenario can enable, by name. Later behaviours (gang schedulers, gateway data plane, metrics,
/// autoscalers, operators) register here with <see cref="Register"/> and become usable in scenario files.
/// </summary>
public static class BehaviourCatalog
{
    private static readonly Dictionary<string, Func<IClusterBehaviour>> Factories = new(StringComparer.Ordinal)
    {
        [NodesBehaviour.ComponentName] = () => new NodesBehaviour(),
        [DevicePluginBehaviour.ComponentName] = () => new DevicePluginBehaviour(),
        [DraDriverBehaviour.ComponentName] = () => new DraDriverBehaviour(),
        [NamespaceDefaultsBehaviour.ComponentName] = () => new NamespaceDefaultsBehaviour(),
        [SchedulerBehaviour.ComponentName] = () => new SchedulerBehaviour(),
        [ResourceClaimControllerBehaviour.ComponentName] = () => new ResourceClaimControllerBehaviour(),
        [KubeletBehaviour.ComponentName] = () => new KubeletBehaviour(),
        [JobControllerBehaviour.ComponentName] = () => new JobControllerBehaviour(),
        [ReplicaSetControllerBehaviour.ComponentName] = () => new ReplicaSetControllerBehaviour(),
        [DeploymentControllerBehaviour.ComponentName] = () => new DeploymentControllerBehaviour(),
        [EndpointSliceControllerBehaviour.ComponentName] = () => new EndpointSliceControllerBehaviour(),
        [KueueBehaviour.ComponentName] = () => new KueueBehaviour(),
    };

    /// <summary>What a cluster runs when its scenario lists no components: a working cluster without extras.</summary>
    public static IReadOnlyList<string> CoreComponents { get; } =
    [
        NodesBehaviour.ComponentName, DevicePluginBehaviour.ComponentName, DraDriverBehaviour.ComponentName,
        NamespaceDefaultsBehaviour.ComponentName, SchedulerBehaviour.ComponentName, ResourceClaimControllerBehaviour.ComponentName,
        KubeletBehaviour.ComponentName, JobControllerBehaviour.ComponentName, ReplicaSetControllerBehaviour.ComponentName,
        DeploymentControllerBehaviour.ComponentName, EndpointSliceControllerBehaviour.ComponentName,
    ];

    /// <summary>Components whose options are a typed record: reading them reports what is wrong as a scenario error.</summary>
    private static readonly Dictionary<string, Action<Scenarios.ComponentOptions>> OptionReaders = new(StringComparer.Ordinal)
    {
        [KueueBehaviour.ComponentName] = options => KueueOptions.From(options),
    };

    /// <summary>What is wrong with a component's options (unknown option, bad value), or null.</summary>
    public static string? ProblemWithOptions(string name, Scenarios.ComponentOptions options)
    {
        if (!OptionReaders.TryGetValue(name, out var read)) return null;
        try
        {
            read(options);
            return null;
        }
        catch (Scenarios.ScenarioException problem)
        {
            return problem.Message;
        }
    }

    public static IEnumerable<string> Names => Factories.Keys.Order(StringComparer.Ordinal);

    public static bool Knows(string name) => Factories.ContainsKey(name);

    public static IClusterBehaviour Create(string name) => Factories[name]();

    public static void Register(string name, Func<IClusterBehaviour> factory) => Factories[name] = factory;
}
