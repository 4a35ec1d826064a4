using System.Globalization;
using System.Text;

namespace AiConformance.Workloads.Serving;

/// <summary>A Prometheus histogram: observations counted per upper bound, written cumulatively.</summary>
public sealed class Histogram(string name, string help, IReadOnlyList<double> upperBounds)
{
    private readonly long[] counts = new long[upperBounds.Count + 1];
    private readonly Lock gate = new();
    private double sum;

    public void Observe(double value)
    {
        var index = 0;
        while (index < upperBounds.Count && value > upperBounds[index]) index++;
        lock (gate)
        {
            counts[index]++;
            sum += value;
        }
    }

    public void WriteTo(StringBuilder text, string labels)
    {
        long[] snapshot;
        double total;
        lock (gate)
        {
            snapshot = [.. counts];
            total = sum;
        }
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" histogram\n");
        long cumulative = 0;
        for (var i = 0; i <= upperBounds.Count; i++)
        {
            cumulative += snapshot[i];
            var bound = i < upperBounds.Count ? PrometheusText.Number(upperBounds[i]) : "+Inf";
            text.Append(name).Append("_bucket{le=\"").Append(bound).Append("\",").Append(labels).Append("} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        text.Append(name).Append("_sum{").Append(labels).Append("} ").Append(PrometheusText.Number(total)).Append('\n');
        text.Append(name).Append("_count{").Append(labels).Append("} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}

/// <summary>Helpers for the Prometheus text exposition format.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Number(double value) => value.ToString("0.0###########", CultureInfo.InvariantCulture);

    public static string Label(string name, string value) =>
        $"{name}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";

    public static void Sample(StringBuilder text, string name, string type, string help, string labels, double value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        text.Append(name).Append('{').Append(labels).Append("} ").Append(Number(value)).Append('\n');
    }
}
