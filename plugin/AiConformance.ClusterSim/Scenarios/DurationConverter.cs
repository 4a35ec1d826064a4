using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace AiConformance.ClusterSim.Scenarios;

/// <summary>Reads durations as Kubernetes writes them (<c>250ms</c>, <c>2s</c>, <c>1m30s</c>, <c>0</c>).</summary>
internal sealed partial class DurationConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(TimeSpan) || type == typeof(TimeSpan?);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();
        if (type == typeof(TimeSpan?) && scalar.Value is "" or "null" or "~") return null;
        return Parse(scalar.Value) ?? throw new YamlException(scalar.Start, scalar.End,
            $"'{scalar.Value}' is not a duration; write it like 250ms, 2s, 1m30s or 0");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        emitter.Emit(new Scalar(value is TimeSpan span ? $"{span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms" : ""));

    public static TimeSpan? Parse(string text)
    {
        if (text == "0") return TimeSpan.Zero;
        var parts = DurationPart().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text) return null;
        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }
        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex DurationPart();
}
