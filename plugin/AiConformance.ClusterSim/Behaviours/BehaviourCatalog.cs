using AiConformance.ClusterSim.Behaviours.Controllers;
using AiConformance.ClusterSim.Behaviours.Dra;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Metrics;
using AiConformance.ClusterSim.Scenarios;

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
        [DcgmExporterBehaviour.ComponentName] = () => new DcgmExporterBehaviour(),
    };

    // Components with typed options: what is wrong with a scenario's options (an unknown one, a bad value).
    private static readonly Dictionary<string, Func<ComponentOptions, IEnumerable<string>>> OptionChecks = new(StringComparer.Ordinal)
    {
        [DcgmExporterBehaviour.ComponentName] = options => DcgmExporterOptions.Bind(options).Problems,
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

    /// <summary>What is wrong with a component's options; nothing for components whose options are free-form.</summary>
    public static IEnumerable<string> OptionProblems(string name, ComponentOptions options) =>
        OptionChecks.TryGetValue(name, out var check) ? check(options) : [];

    public static IClusterBehaviour Create(string name) => Factories[name]();

    public static void Register(string name, Func<IClusterBehaviour> factory) => Factories[name] = factory;
}
