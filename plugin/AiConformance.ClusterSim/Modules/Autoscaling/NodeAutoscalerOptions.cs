using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The options of the node autoscalers (<c>cluster-autoscaler</c>, <c>karpenter</c>), named after cluster-autoscaler's
/// flags: <c>scanInterval</c> (<c>--scan-interval</c>, 10s), <c>scaleUpDelay</c> (from asking the cloud for a node to the
/// node registering, 60s), <c>scaleDownUnneededTime</c> (<c>--scale-down-unneeded-time</c>, 10m; Karpenter's
/// <c>consolidateAfter</c>), <c>scaleDownDelayAfterAdd</c> (<c>--scale-down-delay-after-add</c>, 10m; none for
/// Karpenter) and <c>fault</c>.
/// </summary>
public sealed record NodeAutoscalerOptions
{
    private static readonly string[] Known = ["scanInterval", "scaleUpDelay", "scaleDownUnneededTime", "scaleDownDelayAfterAdd", "fault"];

    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ScaleUpDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ScaleDownUnneededTime { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan ScaleDownDelayAfterAdd { get; init; } = TimeSpan.FromMinutes(10);

    public NodeAutoscalerFault Fault { get; init; } = NodeAutoscalerFault.None;

    public static NodeAutoscalerOptions From(string component, ComponentOptions? options)
    {
        var bound = new NodeAutoscalerOptions();
        foreach (var (key, value) in options?.Options ?? [])
        {
            bound = key switch
            {
                "scanInterval" => bound with { ScanInterval = Duration(component, key, value, positive: true) },
                "scaleUpDelay" => bound with { ScaleUpDelay = Duration(component, key, value) },
                "scaleDownUnneededTime" => bound with { ScaleDownUnneededTime = Duration(component, key, value) },
                "scaleDownDelayAfterAdd" => bound with { ScaleDownDelayAfterAdd = Duration(component, key, value) },
                "fault" => bound with
                {
                    Fault = NodeAutoscalerFault.Named(value)
                        ?? throw new ScenarioException($"{component}: unknown fault '{value}'; known: {string.Join(", ", NodeAutoscalerFault.Names)}"),
                },
                _ => throw new ScenarioException($"{component}: unknown option '{key}'; known: {string.Join(", ", Known)}"),
            };
        }
        return bound;
    }

    private static TimeSpan Duration(string component, string key, string value, bool positive = false) =>
        DurationConverter.Parse(value) is { } duration && (positive ? duration > TimeSpan.Zero : duration >= TimeSpan.Zero) ? duration
            : throw new ScenarioException($"{component}: {key} '{value}' is not a duration{(positive ? " above zero" : "")} (e.g. 10s, 200ms)");
}
