using AiConformance.ClusterSim.Modules.Accelerators;
using AiConformance.ClusterSim.Behaviours.Controllers;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Autoscaling;
using AiConformance.ClusterSim.Modules.Autoscaling.Keda;
using AiConformance.ClusterSim.Modules.Gangs.Coscheduling;
using AiConformance.ClusterSim.Modules.Gangs.WorkloadApi;
using AiConformance.ClusterSim.Modules.Gangs.Kai;
using AiConformance.ClusterSim.Modules.Gangs.Kueue;
using AiConformance.ClusterSim.Modules.Gangs.PodGroups;
using AiConformance.ClusterSim.Modules.Gangs.Volcano;
using AiConformance.ClusterSim.Modules.Gateways;
using AiConformance.ClusterSim.Modules.InferencePools;
using AiConformance.ClusterSim.Modules.Metrics;
using AiConformance.ClusterSim.Modules.Metrics.Prometheus;
using AiConformance.ClusterSim.Modules.Networks;
using AiConformance.ClusterSim.Modules.Operators;
using AiConformance.ClusterSim.Modules.Serving;
using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>A component a scenario can enable: its name, how its behaviour is made, and its options' check.</summary>
public sealed record Component(string Name, Func<IClusterBehaviour> Create, Func<ComponentOptions?, IReadOnlyList<string>> Problems)
{
    /// <summary>The component <paramref name="name"/>, whose options are read by <typeparamref name="TOptions"/>.</summary>
    public static Component Of<TOptions>(string name, Func<IClusterBehaviour> create) where TOptions : IComponentOptions<TOptions> =>
        new(name, create, options => ComponentOptionReader.Read<TOptions>(name, options).Problems);
}

/// <summary>
/// The components a scenario can enable, by name, each with its typed options; a module's component becomes usable in
/// scenario files by its entry here.
/// </summary>
public static class BehaviourCatalog
{
    private static readonly Dictionary<string, Component> Components = new Component[]
    {
        Component.Of<NoOptions>(NodesBehaviour.ComponentName, () => new NodesBehaviour()),
        Component.Of<NoOptions>(DevicePluginBehaviour.ComponentName, () => new DevicePluginBehaviour()),
        Component.Of<DraDriverOptions>(DraDriverBehaviour.ComponentName, () => new DraDriverBehaviour()),
        Component.Of<NoOptions>(NamespaceDefaultsBehaviour.ComponentName, () => new NamespaceDefaultsBehaviour()),
        Component.Of<SchedulerOptions>(SchedulerBehaviour.ComponentName, () => new SchedulerBehaviour()),
        Component.Of<ResourceClaimControllerOptions>(ResourceClaimControllerBehaviour.ComponentName, () => new ResourceClaimControllerBehaviour()),
        Component.Of<KubeletOptions>(KubeletBehaviour.ComponentName, () => new KubeletBehaviour()),
        Component.Of<NoOptions>(JobControllerBehaviour.ComponentName, () => new JobControllerBehaviour()),
        Component.Of<NoOptions>(ReplicaSetControllerBehaviour.ComponentName, () => new ReplicaSetControllerBehaviour()),
        Component.Of<NoOptions>(DeploymentControllerBehaviour.ComponentName, () => new DeploymentControllerBehaviour()),
        Component.Of<EndpointSliceControllerOptions>(EndpointSliceControllerBehaviour.ComponentName, () => new EndpointSliceControllerBehaviour()),
        Component.Of<GatewayOptions>(GatewayController.ComponentName, () => new GatewayController()),
        Component.Of<InferenceExtensionOptions>(InferencePoolController.ComponentName, () => new InferencePoolController()),
        Component.Of<KueueOptions>(KueueBehaviour.ComponentName, () => new KueueBehaviour()),
        Component.Of<GangSchedulerOptions>(VolcanoBehaviour.ComponentName, () => new VolcanoBehaviour()),
        Component.Of<GangSchedulerOptions>(KaiBehaviour.ComponentName, () => new KaiBehaviour()),
        Component.Of<GangSchedulerOptions>(CoschedulingBehaviour.ComponentName, () => new CoschedulingBehaviour()),
        Component.Of<GangSchedulerOptions>(WorkloadApiBehaviour.ComponentName, () => new WorkloadApiBehaviour()),
        Component.Of<HpaControllerOptions>(HpaControllerBehaviour.ComponentName, () => new HpaControllerBehaviour()),
        Component.Of<MetricsAdapterOptions>(MetricsAdapterBehaviour.ComponentName, () => new MetricsAdapterBehaviour()),
        Component.Of<KedaOptions>(KedaBehaviour.ComponentName, () => new KedaBehaviour()),
        Component.Of<DeviceMetricsExporterOptions>(ExporterFlavour.Dcgm.ComponentName, () => new DeviceMetricsExporterBehaviour(ExporterFlavour.Dcgm)),
        Component.Of<DeviceMetricsExporterOptions>(ExporterFlavour.AmdDeviceMetrics.ComponentName, () => new DeviceMetricsExporterBehaviour(ExporterFlavour.AmdDeviceMetrics)),
        Component.Of<DeviceMetricsExporterOptions>(ExporterFlavour.NeuronMonitor.ComponentName, () => new DeviceMetricsExporterBehaviour(ExporterFlavour.NeuronMonitor)),
        Component.Of<KubeRayOperatorOptions>(KubeRayOperatorBehaviour.ComponentName, () => new KubeRayOperatorBehaviour()),
        Component.Of<LeaderWorkerSetOperatorOptions>(LeaderWorkerSetOperatorBehaviour.ComponentName, () => new LeaderWorkerSetOperatorBehaviour()),
        Component.Of<TrainerOperatorOptions>(TrainerOperatorBehaviour.ComponentName, () => new TrainerOperatorBehaviour()),
        Component.Of<TrainingOperatorOptions>(TrainingOperatorBehaviour.ComponentName, () => new TrainingOperatorBehaviour()),
        Component.Of<KServeOperatorOptions>(KServeOperatorBehaviour.ComponentName, () => new KServeOperatorBehaviour()),
        Component.Of<ServingInjectorOptions>(ServingInjectorBehaviour.ComponentName, () => new ServingInjectorBehaviour()),
        Component.Of<PrometheusOptions>(PrometheusBehaviour.ComponentName, () => new PrometheusBehaviour()),
        Component.Of<NodeAutoscalerOptions>(NodeAutoscalerBehaviour.ClusterAutoscalerName, () => new NodeAutoscalerBehaviour(AutoscalerFlavour.ClusterAutoscaler)),
        Component.Of<NodeAutoscalerOptions>(NodeAutoscalerBehaviour.KarpenterName, () => new NodeAutoscalerBehaviour(AutoscalerFlavour.Karpenter)),
        Component.Of<NicHandOffOptions>(NicHandOff.ComponentName, () => new NicHandOffBehaviour()),
    }.ToDictionary(component => component.Name, StringComparer.Ordinal);

    /// <summary>What a cluster runs when its scenario lists no components: a working cluster without extras.</summary>
    public static IReadOnlyList<string> CoreComponents { get; } =
    [
        NodesBehaviour.ComponentName, DevicePluginBehaviour.ComponentName, DraDriverBehaviour.ComponentName,
        NamespaceDefaultsBehaviour.ComponentName, SchedulerBehaviour.ComponentName, ResourceClaimControllerBehaviour.ComponentName,
        KubeletBehaviour.ComponentName, JobControllerBehaviour.ComponentName, ReplicaSetControllerBehaviour.ComponentName,
        DeploymentControllerBehaviour.ComponentName, EndpointSliceControllerBehaviour.ComponentName,
    ];

    public static IEnumerable<string> Names => Components.Keys.Order(StringComparer.Ordinal);

    /// <summary>
    /// What is wrong with a scenario's components, one line each: names no component has, and every problem of each
    /// known component's options.
    /// </summary>
    public static IEnumerable<string> Problems(IReadOnlyDictionary<string, ComponentOptions> components) =>
        components.SelectMany(entry => Components.TryGetValue(entry.Key, out var component)
            ? component.Problems(entry.Value)
            : [$"components.{entry.Key} is not a known component; known: {string.Join(", ", Names)}"]);

    public static IClusterBehaviour Create(string name) => Components[name].Create();
}
