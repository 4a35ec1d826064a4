using System.Diagnostics;
using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>
/// What an HPA reported over time (replicas and the metric as it read it), one line per change, for the evidence
/// and for failure messages.
/// </summary>
public sealed class ScalingTimeline
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> lines = [];
    private string last = "";

    public IReadOnlyList<string> Lines => lines;

    /// <summary>Notes the HPA's state when it differs from the last one noted.</summary>
    public void Note(V2HorizontalPodAutoscaler? hpa)
    {
        var state = Describe(hpa);
        if (state == last) return;
        last = state;
        lines.Add($"t+{clock.Elapsed.TotalSeconds:0.0}s {state}");
    }

    public static string Describe(V2HorizontalPodAutoscaler? hpa)
    {
        if (hpa is null) return "HPA absent";
        var metric = hpa.Status?.CurrentMetrics?.FirstOrDefault()?.Pods;
        var value = metric is null ? "no metric read" : $"{metric.Metric.Name}={metric.Current.AverageValue}";
        var active = hpa.Status?.Conditions?.FirstOrDefault(c => c.Type == "ScalingActive");
        return $"replicas current={hpa.Status?.CurrentReplicas} desired={hpa.Status?.DesiredReplicas}, {value}" +
               (active is { Status: "False" } ? $", ScalingActive=False ({active.Reason}: {active.Message})" : "");
    }
}
