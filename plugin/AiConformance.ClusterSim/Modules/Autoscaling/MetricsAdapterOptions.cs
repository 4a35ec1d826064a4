using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>The options of the <c>custom-metrics-adapter</c> component: only <c>fault</c> (<c>stale-values</c>).</summary>
public sealed record MetricsAdapterOptions
{
    public StaleValuesFault? Fault { get; init; }

    public static MetricsAdapterOptions From(ComponentOptions? component)
    {
        foreach (var key in component?.Options?.Keys ?? Enumerable.Empty<string>())
            if (key != "fault") throw new ScenarioException($"custom-metrics-adapter: unknown option '{key}'; the only option is fault (stale-values)");
        return component?.Get("fault") switch
        {
            null => new MetricsAdapterOptions(),
            StaleValuesFault.Name => new MetricsAdapterOptions { Fault = new StaleValuesFault() },
            var other => throw new ScenarioException($"custom-metrics-adapter: unknown fault '{other}'; known: {StaleValuesFault.Name}"),
        };
    }
}

/// <summary>
/// Fault: the adapter keeps serving the first value it read for each pod and metric (a broken Prometheus scrape or
/// a cache never refreshed), so the values stop following the load.
/// </summary>
public sealed class StaleValuesFault
{
    public const string Name = "stale-values";
    private readonly Dictionary<string, MetricReading> first = [];
    private readonly Lock gate = new();

    public MetricReading? Remembered(string key)
    {
        lock (gate) return first.GetValueOrDefault(key);
    }

    public void Remember(string key, MetricReading reading)
    {
        lock (gate) first.TryAdd(key, reading);
    }
}
