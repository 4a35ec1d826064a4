using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling.Keda;

/// <summary>The options of the <c>keda</c> component: <c>namespace</c> (default <c>keda</c>) and <c>fault</c> (<see cref="KedaFaults"/>).</summary>
public sealed record KedaOptions : IComponentOptions<KedaOptions>
{
    public string Namespace { get; init; } = "keda";

    /// <summary>What the metrics server gets wrong; null: a working one.</summary>
    public IKedaFault? Fault { get; init; }

    public static KedaOptions Read(ComponentOptionReader options) => new()
    {
        Namespace = options.Text("namespace", "keda"),
        Fault = options.OptionalFault(KedaFaults.Catalog),
    };
}
