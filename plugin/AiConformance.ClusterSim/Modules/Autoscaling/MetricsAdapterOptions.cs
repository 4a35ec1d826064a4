using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The options of the <c>custom-metrics-adapter</c> component: <c>apis</c> (which of <c>custom</c> and
/// <c>external</c> it serves, comma-separated; default <c>custom</c>, as prometheus-adapter's chart enables only its
/// custom rules) and <c>fault</c> (<c>stale-values</c>).
/// </summary>
public sealed record MetricsAdapterOptions : IComponentOptions<MetricsAdapterOptions>
{
    public const string Custom = "custom";
    public const string External = "external";

    public bool ServesCustom { get; init; } = true;

    public bool ServesExternal { get; init; }

    public StaleValuesFault? Fault { get; init; }

    private static readonly FaultCatalog<StaleValuesFault> Faults = new("a custom-metrics-adapter fault",
        new Dictionary<string, Func<StaleValuesFault>> { [StaleValuesFault.Name] = () => new StaleValuesFault() });

    public static MetricsAdapterOptions Read(ComponentOptionReader options)
    {
        var (custom, external) = Apis(options);
        return new() { ServesCustom = custom, ServesExternal = external, Fault = options.OptionalFault(Faults) };
    }

    private static (bool Custom, bool External) Apis(ComponentOptionReader options)
    {
        if (options.Text("apis") is not { } value) return (true, false);
        var apis = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return apis.Length > 0 && apis.All(api => api is Custom or External)
            ? (apis.Contains(Custom), apis.Contains(External))
            : options.Refuse("apis", value, $"must list {Custom}, {External} or both (comma-separated)", (true, false));
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
