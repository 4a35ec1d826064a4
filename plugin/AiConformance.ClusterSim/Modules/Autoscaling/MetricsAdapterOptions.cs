using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>The options of the <c>custom-metrics-adapter</c> component: only <c>fault</c> (<c>stale-values</c>).</summary>
public sealed record MetricsAdapterOptions : IComponentOptions<MetricsAdapterOptions>
{
    public StaleValuesFault? Fault { get; init; }

    private static readonly FaultCatalog<StaleValuesFault> Faults = new("a custom-metrics-adapter fault",
        new Dictionary<string, Func<StaleValuesFault>> { [StaleValuesFault.Name] = () => new StaleValuesFault() });

    public static MetricsAdapterOptions Read(ComponentOptionReader options) => new()
    {
        Fault = options.OptionalFault(Faults),
    };
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
