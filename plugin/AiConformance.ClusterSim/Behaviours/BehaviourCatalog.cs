using AiConformance.ClusterSim.Behaviours.Controllers;
using AiConformance.ClusterSim.Behaviours.Dra;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Autoscaling.Keda;
using AiConformance.ClusterSim.Modules.Gateways;
using AiConformance.ClusterSim.Modules.InferencePools;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Modules.Gangs.Coscheduling;
using AiConformance.ClusterSim.Modules.Gangs.Kai;
using AiConformance.ClusterSim.Modules.Gangs.Kueue;
using AiConformance.ClusterSim.Modules.Gangs.PodGroups;
using AiConformance.ClusterSim.Modules.Gangs.Volcano;
using AiConformance.ClusterSim.Modules.Autoscaling;
using AiConformance.ClusterSim.Modules.Metrics;
using AiConformance.ClusterSim.Modules.Operators;
using AiConformance.ClusterSim.Modules.Metrics.Prometheus;
using AiConformance.ClusterSim.Modules.Networks;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// The components a scenario can enable, by name, with the check of their typed options; a module's component becomes
/// usable in scenario files by its entry here.
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
        [GatewayController.ComponentName] = () => new GatewayController(),
        [InferencePoolController.ComponentName] = () => new InferencePoolController(),
        [KueueBehaviour.ComponentName] = () => new KueueBehaviour(),
        [VolcanoBehaviour.ComponentName] = () => new VolcanoBehaviour(),
        [KaiBehaviour.ComponentName] = () => new KaiBehaviour(),
        [CoschedulingBehaviour.ComponentName] = () => new CoschedulingBehaviour(),
        [HpaControllerBehaviour.ComponentName] = () => new HpaControllerBehaviour(),
        [MetricsAdapterBehaviour.ComponentName] = () => new MetricsAdapterBehaviour(),
        [KedaBehaviour.ComponentName] = () => new KedaBehaviour(),
        [DcgmExporterBehaviour.ComponentName] = () => new DcgmExporterBehaviour(),
        [KubeRayOperatorBehaviour.ComponentName] = () => new KubeRayOperatorBehaviour(),
        [PrometheusBehaviour.ComponentName] = () => new PrometheusBehaviour(),
        [NodeAutoscalerBehaviour.ClusterAutoscalerName] = () => new NodeAutoscalerBehaviour(AutoscalerFlavour.ClusterAutoscaler),
        [NodeAutoscalerBehaviour.KarpenterName] = () => new NodeAutoscalerBehaviour(AutoscalerFlavour.Karpenter),
        [NicHandOff.ComponentName] = () => new NicHandOffBehaviour(),
    };

    /// <summary>Components whose options are typed: each says what is wrong with a scenario's options (unknown keys, bad values).</summary>
    private static readonly Dictionary<string, Func<string, ComponentOptions, IEnumerable<string>>> OptionChecks = new(StringComparer.Ordinal)
    {
        [GatewayController.ComponentName] = GatewayOptions.Problems,
        [InferencePoolController.ComponentName] = InferenceExtensionOptions.Problems,
        [EndpointSliceControllerBehaviour.ComponentName] = EndpointSliceFaults.Problems,
        [KueueBehaviour.ComponentName] = ProblemsReading(options => KueueOptions.From(options)),
        [VolcanoBehaviour.ComponentName] = ProblemsReading(options => GangSchedulerOptions.From(options, "volcano")),
        [KaiBehaviour.ComponentName] = ProblemsReading(options => GangSchedulerOptions.From(options, "kai-scheduler")),
        [CoschedulingBehaviour.ComponentName] = ProblemsReading(options => GangSchedulerOptions.From(options, CoschedulingBehaviour.DefaultName)),
        [DcgmExporterBehaviour.ComponentName] = (name, options) => DcgmExporterOptions.Bind(options).Problems.Select(problem => $"components.{name}.options: {problem}"),
        [KubeRayOperatorBehaviour.ComponentName] = (name, options) => KubeRayOperatorOptions.Bind(options).Problems.Select(problem => $"components.{name}.options: {problem}"),
        [PrometheusBehaviour.ComponentName] = (name, options) => PrometheusOptions.Bind(options).Problems.Select(problem => $"components.{name}.options: {problem}"),
        [NodeAutoscalerBehaviour.ClusterAutoscalerName] = ProblemsReading(options => NodeAutoscalerOptions.From(NodeAutoscalerBehaviour.ClusterAutoscalerName, options)),
        [NodeAutoscalerBehaviour.KarpenterName] = ProblemsReading(options => NodeAutoscalerOptions.From(NodeAutoscalerBehaviour.KarpenterName, options)),
        [MetricsAdapterBehaviour.ComponentName] = ProblemsReading(options => MetricsAdapterOptions.From(options)),
        [HpaControllerBehaviour.ComponentName] = ProblemsReading(options => HpaControllerOptions.From(options)),
        [KedaBehaviour.ComponentName] = ProblemsReading(options => KedaOptions.From(options)),
        [NicHandOff.ComponentName] = (name, options) => NicHandOffOptions.Bind(options).Problems.Select(problem => $"components.{name}.options: {problem}"),
    };

    /// <summary>What a cluster runs when its scenario lists no components: a working cluster without extras.</summary>
    public static IReadOnlyList<string> CoreComponents { get; } =
    [
        NodesBehaviour.ComponentName, DevicePluginBehaviour.ComponentName, DraDriverBehaviour.ComponentName,
        NamespaceDefaultsBehaviour.ComponentName, SchedulerBehaviour.ComponentName, ResourceClaimControllerBehaviour.ComponentName,
        KubeletBehaviour.ComponentName, JobControllerBehaviour.ComponentName, ReplicaSetControllerBehaviour.ComponentName,
        DeploymentControllerBehaviour.ComponentName, EndpointSliceControllerBehaviour.ComponentName,
    ];

    /// <summary>The options check of a component whose typed options refuse what is wrong when they are read.</summary>
    private static Func<string, ComponentOptions, IEnumerable<string>> ProblemsReading(Action<ComponentOptions> read) => (name, options) =>
    {
        try
        {
            read(options);
            return [];
        }
        catch (ScenarioException problem)
        {
            return [$"components.{name}.options: {problem.Message}"];
        }
    };

    public static IEnumerable<string> Names => Factories.Keys.Order(StringComparer.Ordinal);

    public static bool Knows(string name) => Factories.ContainsKey(name);

    /// <summary>The problems of a component's options, one line each; none for a component without typed options.</summary>
    public static IEnumerable<string> OptionProblems(string name, ComponentOptions options) =>
        OptionChecks.TryGetValue(name, out var check) ? check(name, options) : [];

    public static IClusterBehaviour Create(string name) => Factories[name]();
}
