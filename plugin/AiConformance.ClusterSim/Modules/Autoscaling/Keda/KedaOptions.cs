using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling.Keda;

/// <summary>The options of the <c>keda</c> component: <c>namespace</c> (default <c>keda</c>) and <c>fault</c> (<c>no-metric-value</c>).</summary>
public sealed record KedaOptions : IComponentOptions<KedaOptions>
{
    public const string NoMetricValue = "no-metric-value";

    public string Namespace { get; init; } = "keda";

    /// <summary>Fault: the metrics server answers every ScaledObject metric with an empty list, so its HPA never scales.</summary>
    public bool ServesNoMetricValue { get; init; }

    public static KedaOptions Read(ComponentOptionReader options) => new()
    {
        Namespace = options.Text("namespace", "keda"),
        ServesNoMetricValue = options.OneOf("fault", false, new Dictionary<string, bool> { [NoMetricValue] = true }),
    };
}
