using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>The nodes of a pool over time, one line per change, for the evidence and for failure messages.</summary>
public sealed class NodeCountTimeline
{
    private readonly Timeline timeline = new();

    public IReadOnlyList<string> Lines => timeline.Lines;

    /// <summary>Notes the pool's nodes when they differ from the last ones noted.</summary>
    public void Note(IReadOnlyList<V1Node> nodes) => timeline.Note(Describe(nodes));

    public string Describe() => timeline.Describe();

    public static string Describe(IReadOnlyList<V1Node> nodes) =>
        $"{nodes.Count} node(s): " + string.Join(", ", nodes.OrderBy(node => node.Metadata.Name, StringComparer.Ordinal)
            .Select(node => node.Metadata.Name + (IsReady(node) ? "" : " (not Ready)") + (node.Metadata.DeletionTimestamp is null ? "" : " (deleting)")));

    public static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;
}
