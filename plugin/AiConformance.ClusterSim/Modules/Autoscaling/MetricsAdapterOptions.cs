using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The options of the <c>custom-metrics-adapter</c> component: <c>apis</c> (which of <c>custom</c> and
/// <c>external</c> it serves, comma-separated; default <c>custom</c>, as prometheus-adapter's chart enables only its
/// custom rules) and <c>fault</c> (<c>stale-values</c>).
/// </summary>
public sealed record MetricsAdapterOptions
{
    public const string Custom = "custom";
    public const string External = "external";

    public bool ServesCustom { get; init; } = true;

    public bool ServesExternal { get; init; }

    public StaleValuesFault? Fault { get; init; }

    public static MetricsAdapterOptions From(ComponentOptions? component)
    {
        var options = new MetricsAdapterOptions();
        foreach (var (key, value) in component?.Options ?? [])
        {
            options = key switch
            {
                "apis" => WithApis(options, value),
                "fault" => options with
                {
                    Fault = value == StaleValuesFault.Name ? new StaleValuesFault()
                        : throw new ScenarioException($"custom-metrics-adapter: unknown fault '{value}'; known: {StaleValuesFault.Name}"),
                },
                _ => throw new ScenarioException($"custom-metrics-adapter: unknown option '{key}'; known: apis ({Custom}, {External}), fault ({StaleValuesFault.Name})"),
            };
        }
        return options;
    }

    private static MetricsAdapterOptions WithApis(MetricsAdapterOptions options, string value)
    {
        var apis = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (apis.Length == 0 || apis.Any(api => api is not (Custom or External)))
            throw new ScenarioException($"custom-metrics-adapter: apis '{value}' must list {Custom}, {External} or both (comma-separated)");
        return options with { ServesCustom = apis.Contains(Custom), ServesExternal = apis.Contains(External) };
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
