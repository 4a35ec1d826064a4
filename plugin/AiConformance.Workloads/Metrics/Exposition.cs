namespace AiConformance.Workloads.Metrics;

/// <summary>The type a metric family declares with <c># TYPE</c>; <see cref="Untyped"/> when it declares none.</summary>
public enum MetricType { Untyped, Counter, Gauge, Histogram, Summary, GaugeHistogram, Info, StateSet }

/// <summary>One line of an exposition: a series (name and labels), its value and the optional timestamp in ms.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs)
{
    public string? Label(string name) => Labels.GetValueOrDefault(name);

    /// <summary>The series as Prometheus writes it: <c>name{a="1",b="2"}</c>.</summary>
    public override string ToString() =>
        Labels.Count == 0 ? Name : $"{Name}{{{string.Join(',', Labels.Select(label => $"{label.Key}=\"{label.Value}\""))}}}";
}

/// <summary>A metric family: its samples (a histogram's <c>_bucket</c>, <c>_sum</c>, <c>_count</c> included) and metadata.</summary>
public sealed record MetricFamily(string Name, MetricType Type, string? Help, string? Unit, IReadOnlyList<MetricSample> Samples);

/// <summary>A parsed <c>/metrics</c> answer, in the Prometheus text format or OpenMetrics.</summary>
public sealed class Exposition(IReadOnlyList<MetricFamily> families)
{
    public IReadOnlyList<MetricFamily> Families { get; } = families;

    public static Exposition Parse(string text) => ExpositionParser.Parse(text);

    public MetricFamily? Family(string name) => Families.FirstOrDefault(family => family.Name == name);

    /// <summary>Every sample whose series name is exactly <paramref name="name"/>, whichever family holds it.</summary>
    public IReadOnlyList<MetricSample> Samples(string name) =>
        [.. Families.SelectMany(family => family.Samples).Where(sample => sample.Name == name)];

    /// <summary>Names of every series in the exposition, in order of appearance.</summary>
    public IReadOnlyList<string> SeriesNames =>
        [.. Families.SelectMany(family => family.Samples).Select(sample => sample.Name).Distinct()];
}

/// <summary>A line an exposition parser cannot read: the 1-based line number and what is wrong with it.</summary>
public sealed class ExpositionFormatException(int line, string problem)
    : FormatException($"metrics line {line}: {problem}")
{
    public int Line { get; } = line;
}
