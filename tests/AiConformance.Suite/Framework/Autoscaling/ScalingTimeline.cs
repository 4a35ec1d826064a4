using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>
/// What an HPA reported over time (replicas and the metric as it read it), one line per change, for the evidence
/// and for failure messages.
/// </summary>
public sealed class ScalingTimeline
{
    private readonly Timeline timeline = new();

    public IReadOnlyList<string> Lines => timeline.Lines;

    /// <summary>Notes the HPA's state when it differs from the last one noted.</summary>
    public void Note(V2HorizontalPodAutoscaler? hpa) => timeline.Note(Describe(hpa));

    public static string Describe(V2HorizontalPodAutoscaler? hpa)
    {
        if (hpa is null) return "HPA absent";
        var read = hpa.Status?.CurrentMetrics?.FirstOrDefault();
        var value = (read?.Pods, read?.External) switch
        {
            ({ } pods, _) => $"{pods.Metric.Name}={pods.Current.AverageValue}",
            (_, { } external) => $"{external.Metric.Name}={external.Current.AverageValue ?? external.Current.Value}",
            _ => "no metric read",
        };
        var active = hpa.Status?.Conditions?.FirstOrDefault(c => c.Type == "ScalingActive");
        return $"replicas current={hpa.Status?.CurrentReplicas} desired={hpa.Status?.DesiredReplicas}, {value}" +
               (active is { Status: "False" } ? $", ScalingActive=False ({active.Reason}: {active.Message})" : "");
    }
}
