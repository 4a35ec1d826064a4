using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The options of the node autoscalers (<c>cluster-autoscaler</c>, <c>karpenter</c>), named after cluster-autoscaler's
/// flags: <c>scanInterval</c> (<c>--scan-interval</c>, 10s), <c>scaleUpDelay</c> (from asking the cloud for a node to the
/// node registering, 60s), <c>scaleDownUnneededTime</c> (<c>--scale-down-unneeded-time</c>, 10m; Karpenter's
/// <c>consolidateAfter</c>), <c>scaleDownUnreadyTime</c> (<c>--scale-down-unready-time</c>, 20m: how long a node whose
/// accelerators are not published yet must be unneeded), <c>scaleDownDelayAfterAdd</c>
/// (<c>--scale-down-delay-after-add</c>, 10m; none for Karpenter) and <c>fault</c>.
/// </summary>
public sealed record NodeAutoscalerOptions : IComponentOptions<NodeAutoscalerOptions>
{
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ScaleUpDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ScaleDownUnneededTime { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan ScaleDownUnreadyTime { get; init; } = TimeSpan.FromMinutes(20);

    public TimeSpan ScaleDownDelayAfterAdd { get; init; } = TimeSpan.FromMinutes(10);

    public NodeAutoscalerFault Fault { get; init; } = NodeAutoscalerFault.None;

    public static NodeAutoscalerOptions Read(ComponentOptionReader options)
    {
        var defaults = new NodeAutoscalerOptions();
        return new NodeAutoscalerOptions
        {
            ScanInterval = options.Duration("scanInterval", defaults.ScanInterval, aboveZero: true),
            ScaleUpDelay = options.Duration("scaleUpDelay", defaults.ScaleUpDelay),
            ScaleDownUnneededTime = options.Duration("scaleDownUnneededTime", defaults.ScaleDownUnneededTime),
            ScaleDownUnreadyTime = options.Duration("scaleDownUnreadyTime", defaults.ScaleDownUnreadyTime),
            ScaleDownDelayAfterAdd = options.Duration("scaleDownDelayAfterAdd", defaults.ScaleDownDelayAfterAdd),
            Fault = options.Fault(NodeAutoscalerFault.Catalog, defaults.Fault),
        };
    }
}
