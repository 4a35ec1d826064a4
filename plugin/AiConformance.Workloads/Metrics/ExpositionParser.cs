using System.Globalization;
using System.Text;

namespace AiConformance.Workloads.Metrics;

/// <summary>
/// Reads the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0: <c># HELP</c>, <c># TYPE</c>,
/// <c># UNIT</c>, <c># EOF</c>, label values with escapes, quoted (UTF-8) metric and label names, special values
/// (<c>NaN</c>, <c>+Inf</c>), timestamps and exemplars. Samples are grouped into the family their <c># TYPE</c>
/// declares (a histogram's <c>_bucket</c>/<c>_sum</c>/<c>_count</c>, a counter's <c>_total</c>/<c>_created</c>).
/// </summary>
internal static class ExpositionParser
{
    private static readonly Dictionary<MetricType, string[]> SuffixesOf = new()
    {
        [MetricType.Counter] = ["_total", "_created"],
        [MetricType.Histogram] = ["_bucket", "_sum", "_count", "_created"],
        [MetricType.GaugeHistogram] = ["_bucket", "_gsum", "_gcount"],
        [MetricType.Summary] = ["_sum", "_count", "_created"],
        [MetricType.Info] = ["_info"],
    };

    private sealed class FamilyBuilder(string name)
    {
        public string Name { get; } = name;
        public MetricType Type { get; set; }
        public string? Help { get; set; }
        public string? Unit { get; set; }
        public List<(string Name, IReadOnlyDictionary<string, string> Labels, double Value, double? Timestamp)> Samples { get; } = [];
    }

    public static Exposition Parse(string text)
    {
        var families = new List<FamilyBuilder>();
        var byName = new Dictionary<string, FamilyBuilder>(StringComparer.Ordinal);
        var openMetrics = false;
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            var line = lines[index].TrimEnd('\r');
            if (openMetrics && line.Length > 0)
                throw new ExpositionFormatException(lineNumber, "text after '# EOF'");
            if (line.Trim().Length == 0) continue;
            if (line.StartsWith('#'))
            {
                openMetrics = ReadComment(line, lineNumber, Declared);
                continue;
            }
            var (name, labels, value, timestamp) = ReadSample(line, lineNumber);
            FamilyOf(name).Samples.Add((name, labels, value, timestamp));
        }
        return new Exposition([.. families.Select(family => new MetricFamily(
            family.Name, family.Type, family.Help, family.Unit,
            [.. family.Samples.Select(sample => new MetricSample(sample.Name, sample.Labels, sample.Value, Milliseconds(sample.Timestamp, openMetrics)))]))]);

        FamilyBuilder Declared(string name)
        {
            if (byName.TryGetValue(name, out var family)) return family;
            family = new FamilyBuilder(name);
            families.Add(family);
            byName[name] = family;
            return family;
        }

        FamilyBuilder FamilyOf(string sampleName)
        {
            if (byName.TryGetValue(sampleName, out var exact)) return exact;
            foreach (var family in families)
                if (SuffixesOf.TryGetValue(family.Type, out var suffixes)
                    && suffixes.Any(suffix => sampleName == family.Name + suffix))
                    return family;
            return Declared(sampleName);
        }
    }

    /// <summary>Reads a comment line into its family's metadata; returns true for OpenMetrics' closing <c># EOF</c>.</summary>
    private static bool ReadComment(string line, int lineNumber, Func<string, FamilyBuilder> declared)
    {
        var parts = line[1..].TrimStart().Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1 && parts[0] == "EOF") return true;
        if (parts.Length < 2 || parts[0] is not ("HELP" or "TYPE" or "UNIT")) return false; // a plain comment
        var family = declared(UnquotedName(parts[1]));
        var rest = parts.Length > 2 ? parts[2] : "";
        switch (parts[0])
        {
            case "HELP":
                family.Help = Unescape(rest);
                break;
            case "UNIT":
                family.Unit = rest.Trim();
                break;
            default:
                family.Type = rest.Trim() switch
                {
                    "counter" => MetricType.Counter,
                    "gauge" => MetricType.Gauge,
                    "histogram" => MetricType.Histogram,
                    "gaugehistogram" => MetricType.GaugeHistogram,
                    "summary" => MetricType.Summary,
                    "info" => MetricType.Info,
                    "stateset" => MetricType.StateSet,
                    "untyped" or "unknown" => MetricType.Untyped,
                    var other => throw new ExpositionFormatException(lineNumber, $"unknown metric type '{other}'"),
                };
                break;
        }
        return false;
    }

    private static (string Name, IReadOnlyDictionary<string, string> Labels, double Value, double? Timestamp) ReadSample(string line, int lineNumber)
    {
        var position = 0;
        string? name = null;
        if (line[0] != '{') name = ReadBareName(line, ref position, lineNumber);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        SkipBlanks(line, ref position);
        if (position < line.Length && line[position] == '{')
            name = ReadLabels(line, ref position, lineNumber, labels, name);
        if (name is null) throw new ExpositionFormatException(lineNumber, "a sample without a metric name");

        // After the series: value, optional timestamp, optional OpenMetrics exemplar ("# {...} value [timestamp]").
        var rest = line[position..];
        var exemplar = rest.IndexOf(" # ", StringComparison.Ordinal);
        if (exemplar >= 0) rest = rest[..exemplar];
        var fields = rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is 0 or > 2)
            throw new ExpositionFormatException(lineNumber, $"expected a value and an optional timestamp after '{name}', found '{rest.Trim()}'");
        var value = Number(fields[0]) ?? throw new ExpositionFormatException(lineNumber, $"'{fields[0]}' is not a number");
        double? timestamp = null;
        if (fields.Length == 2)
            timestamp = Number(fields[1]) ?? throw new ExpositionFormatException(lineNumber, $"'{fields[1]}' is not a timestamp");
        return (name, labels, value, timestamp);
    }

    /// <summary>Reads <c>{a="1",b="2"}</c>; a quoted entry without <c>=</c> is the metric name (Prometheus 3 UTF-8 names).</summary>
    private static string? ReadLabels(string line, ref int position, int lineNumber, Dictionary<string, string> labels, string? name)
    {
        position++; // '{'
        while (true)
        {
            SkipBlanks(line, ref position);
            if (position >= line.Length) throw new ExpositionFormatException(lineNumber, "labels not closed with '}'");
            if (line[position] == '}') { position++; return name; }
            var labelName = line[position] == '"' ? ReadQuoted(line, ref position, lineNumber) : ReadBareName(line, ref position, lineNumber);
            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == '=')
            {
                position++;
                SkipBlanks(line, ref position);
                if (position >= line.Length || line[position] != '"')
                    throw new ExpositionFormatException(lineNumber, $"the value of label '{labelName}' must be quoted");
                if (!labels.TryAdd(labelName, ReadQuoted(line, ref position, lineNumber)))
                    throw new ExpositionFormatException(lineNumber, $"label '{labelName}' given twice");
            }
            else if (name is null) name = labelName;
            else throw new ExpositionFormatException(lineNumber, $"label '{labelName}' has no value");
            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == ',') position++;
            else if (position < line.Length && line[position] != '}')
                throw new ExpositionFormatException(lineNumber, $"expected ',' or '}}' after label '{labelName}'");
        }
    }

    private static string ReadBareName(string line, ref int position, int lineNumber)
    {
        var start = position;
        while (position < line.Length && (char.IsAsciiLetterOrDigit(line[position]) || line[position] is '_' or ':')) position++;
        if (position == start || char.IsAsciiDigit(line[start]))
            throw new ExpositionFormatException(lineNumber, $"expected a metric or label name at column {start + 1}");
        return line[start..position];
    }

    private static string ReadQuoted(string line, ref int position, int lineNumber)
    {
        var value = new StringBuilder();
        position++; // opening quote
        while (position < line.Length && line[position] != '"')
        {
            if (line[position] == '\\' && position + 1 < line.Length)
            {
                position++;
                value.Append(line[position] switch { 'n' => '\n', var escaped => escaped });
            }
            else value.Append(line[position]);
            position++;
        }
        if (position >= line.Length) throw new ExpositionFormatException(lineNumber, "a quoted string is not closed");
        position++; // closing quote
        return value.ToString();
    }

    private static string UnquotedName(string name) => name.Length > 1 && name[0] == '"' && name[^1] == '"' ? name[1..^1] : name;

    /// <summary>HELP text: <c>\\</c> and <c>\n</c> are escapes, a quote stands for itself.</summary>
    private static string Unescape(string text)
    {
        var value = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length) value.Append(text[++i] switch { 'n' => '\n', var escaped => escaped });
            else value.Append(text[i]);
        }
        return value.ToString();
    }

    private static void SkipBlanks(string line, ref int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t') position++;
    }

    private static double? Number(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null,
    };

    /// <summary>The text format writes timestamps in milliseconds, OpenMetrics in seconds.</summary>
    private static long? Milliseconds(double? timestamp, bool openMetrics) =>
        timestamp is not { } value ? null : (long)Math.Round(openMetrics ? value * 1000 : value);
}
