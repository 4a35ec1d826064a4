using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The options of the <c>horizontal-pod-autoscaler</c> component: <c>syncPeriod</c> (the controller's
/// <c>--horizontal-pod-autoscaler-sync-period</c>, 15s by default) and <c>fault</c> (<c>ignores-accelerator-pods</c>).
/// </summary>
public sealed record HpaControllerOptions
{
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(15);

    public IgnoresAcceleratorPodsFault? Fault { get; init; }

    public static HpaControllerOptions From(ComponentOptions? component)
    {
        var options = new HpaControllerOptions();
        foreach (var (key, value) in component?.Options ?? [])
        {
            options = key switch
            {
                "syncPeriod" => options with
                {
                    SyncPeriod = DurationConverter.Parse(value) is { } period && period > TimeSpan.Zero ? period
                        : throw new ScenarioException($"horizontal-pod-autoscaler: syncPeriod '{value}' is not a duration above zero (e.g. 15s, 200ms)"),
                },
                "fault" => options with
                {
                    Fault = value == IgnoresAcceleratorPodsFault.Name ? new IgnoresAcceleratorPodsFault()
                        : throw new ScenarioException($"horizontal-pod-autoscaler: unknown fault '{value}'; known: {IgnoresAcceleratorPodsFault.Name}"),
                },
                _ => throw new ScenarioException($"horizontal-pod-autoscaler: unknown option '{key}'; known: syncPeriod, fault"),
            };
        }
        return options;
    }
}

/// <summary>
/// Fault: the controller computes its recommendation but never rescales a workload whose pods request accelerators
/// (DRA claims or an extended accelerator resource), so accelerator serving never scales.
/// </summary>
public sealed class IgnoresAcceleratorPodsFault
{
    public const string Name = "ignores-accelerator-pods";

    public bool Refuses(JsonObject deployment) => AcceleratorRequests.In(deployment["spec"]?["template"]?["spec"] as JsonObject);
}
