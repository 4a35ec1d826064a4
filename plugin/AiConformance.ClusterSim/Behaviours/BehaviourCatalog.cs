using AiConformance.ClusterSim.Behaviours.Controllers;
using AiConformance.ClusterSim.Behaviours.Dra;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Autoscaling;

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
        [HpaControllerBehaviour.ComponentName] = () => new HpaControllerBehaviour(),
        [MetricsAdapterBehaviour.ComponentName] = () => new MetricsAdapterBehaviour(),
    };

    /// <summary>What a cluster runs when its scenario lists no components: a working cluster without extras.</summary>
    public static IReadOnlyList<string> CoreComponents { get; } =
    [
        NodesBehaviour.ComponentName, DevicePluginBehaviour.ComponentName, DraDriverBehaviour.ComponentName,
        NamespaceDefaultsBehaviour.ComponentName, SchedulerBehaviour.ComponentName, ResourceClaimControllerBehaviour.ComponentName,
        KubeletBehaviour.ComponentName, JobControllerBehaviour.ComponentName, ReplicaSetControllerBehaviour.ComponentName,
        DeploymentControllerBehaviour.ComponentName, EndpointSliceControllerBehaviour.ComponentName,
    ];

    public static IEnumerable<string> Names => Factories.Keys.Order(StringComparer.Ordinal);

    public static bool Knows(string name) => Factories.ContainsKey(name);

    public static IClusterBehaviour Create(string name) => Factories[name]();

    public static void Register(string name, Func<IClusterBehaviour> factory) => Factories[name] = factory;
}
