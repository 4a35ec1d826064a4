using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Autoscaling.Keda;

/// <summary>The options of the <c>keda</c> component: <c>namespace</c> (default <c>keda</c>) and <c>fault</c> (<c>no-metric-value</c>).</summary>
public sealed record KedaOptions
{
    public string Namespace { get; init; } = "keda";

    /// <summary>Fault: the metrics server answers every ScaledObject metric with an empty list, so its HPA never scales.</summary>
    public bool ServesNoMetricValue { get; init; }

    public const string NoMetricValue = "no-metric-value";

    public static KedaOptions From(ComponentOptions? component)
    {
        var options = new KedaOptions();
        foreach (var (key, value) in component?.Options ?? [])
        {
            options = key switch
            {
                "namespace" => options with { Namespace = value },
                "fault" => value == NoMetricValue ? options with { ServesNoMetricValue = true }
                    : throw new ScenarioException($"keda: unknown fault '{value}'; known: {NoMetricValue}"),
                _ => throw new ScenarioException($"keda: unknown option '{key}'; known: namespace, fault ({NoMetricValue})"),
            };
        }
        return options;
    }
}
