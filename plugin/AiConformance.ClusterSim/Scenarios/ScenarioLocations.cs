using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AiConformance.ClusterSim.Scenarios;

/// <summary>
/// Where the setting a validation problem names is written. A problem starts with the setting's path
/// (<c>components.kueue.options.queue</c>, <c>nodes[1].count</c>); the path is looked up in the scenario's own file first,
/// then in the scenarios it extends, and the problem is prefixed with <c>file:line:column</c> of the deepest match.
/// </summary>
internal static partial class ScenarioLocations
{
    public static string Locate(IReadOnlyList<ScenarioText> chain, string problem)
    {
        var path = PathPrefix().Match(problem);
        if (!path.Success) return problem;
        var segments = Segments(path.Value);
        (ScenarioText Text, Mark At, int Depth)? best = null;
        foreach (var text in chain)
            if (Find(text.Yaml, segments) is { } found && (best is null || found.Depth > best.Value.Depth))
                best = (text, found.At, found.Depth);
        return best is { } where ? $"{where.Text.Source}:{where.At.Line}:{where.At.Column}: {problem}" : problem;
    }

    /// <summary><c>a.b[2].c</c> as <c>a</c>, <c>b</c>, <c>2</c>, <c>c</c> (indexes as numbers, names as text).</summary>
    private static List<object> Segments(string path) =>
        [.. Segment().Matches(path).Select(m => m.Groups[1].Success ? (object)int.Parse(m.Groups[1].Value) : m.Groups[2].Value)];

    private static (Mark At, int Depth)? Find(string yaml, List<object> segments)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException)
        {
            return null;
        }
        if (stream.Documents.Count == 0) return null;
        YamlNode node = stream.Documents[0].RootNode;
        (Mark At, int Depth)? found = null;
        for (var depth = 0; depth < segments.Count; depth++)
        {
            switch (segments[depth], node)
            {
                case (string name, YamlMappingNode mapping) when mapping.Children.FirstOrDefault(entry => entry.Key is YamlScalarNode key && key.Value == name) is { Key: not null } entry:
                    (found, node) = ((entry.Key.Start, depth + 1), entry.Value);
                    break;
                case (int index, YamlSequenceNode sequence) when index < sequence.Children.Count:
                    node = sequence.Children[index];
                    found = (node.Start, depth + 1);
                    break;
                default:
                    return found;
            }
        }
        return found;
    }

    [GeneratedRegex(@"^[A-Za-z][\w-]*(?:\[\d+\]|\.[\w/-]+)*")]
    private static partial Regex PathPrefix();

    [GeneratedRegex(@"\[(\d+)\]|([^.\[\]]+)")]
    private static partial Regex Segment();
}

/// <summary>The text of one scenario file in an <c>extends</c> chain and how errors name it.</summary>
internal sealed record ScenarioText(string Yaml, string Source);
