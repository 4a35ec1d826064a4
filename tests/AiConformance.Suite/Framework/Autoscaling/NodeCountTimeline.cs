using System.Diagnostics;
using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>The nodes of a pool over time, one line per change, for the evidence and for failure messages.</summary>
public sealed class NodeCountTimeline
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> lines = [];
    private string last = "";

    public IReadOnlyList<string> Lines => lines;

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Notes the pool's nodes when they differ from the last ones noted.</summary>
    public void Note(IReadOnlyList<V1Node> nodes)
    {
        var state = Describe(nodes);
        if (state == last) return;
        last = state;
        lines.Add($"t+{clock.Elapsed.TotalSeconds:0.0}s {state}");
    }

    public string Describe() => string.Join("; ", lines);

    public static string Describe(IReadOnlyList<V1Node> nodes) =>
        $"{nodes.Count} node(s): " + string.Join(", ", nodes.OrderBy(node => node.Metadata.Name, StringComparer.Ordinal)
            .Select(node => node.Metadata.Name + (IsReady(node) ? "" : " (not Ready)") + (node.Metadata.DeletionTimestamp is null ? "" : " (deleting)")));

    public static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;
}
