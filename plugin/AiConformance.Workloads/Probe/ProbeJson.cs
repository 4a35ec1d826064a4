using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiConformance.Workloads.Probe;

/// <summary>The probe report's JSON form, shared by the image (writer) and the suite (reader).</summary>
public static class ProbeJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Write(ProbeReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>
    /// Reads a report from a pod log. The document is the last thing the probe prints; anything a runtime or shell
    /// printed before it is skipped by trying each line that starts with '{', last first.
    /// </summary>
    /// <exception cref="FormatException">The text holds no probe report.</exception>
    public static ProbeReport Read(string log)
    {
        var text = log.TrimEnd();
        var starts = Enumerable.Range(0, text.Length).Where(i => text[i] == '{' && (i == 0 || text[i - 1] == '\n')).Reverse();
        foreach (var start in starts)
        {
            try
            {
                if (JsonSerializer.Deserialize<ProbeReport>(text[start..], Options) is { Schema: ProbeReport.CurrentSchema } report)
                    return report;
            }
            catch (JsonException)
            {
                // Not the document; try an earlier line.
            }
        }
        var excerpt = text.Length > 300 ? text[..300] + "…" : text;
        throw new FormatException(
            $"no {ProbeReport.CurrentSchema} document in the log (does the container run `aiconformance probe`?): {excerpt}");
    }
}
