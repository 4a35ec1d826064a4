namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Reads Kueue's Configuration (YAML, as its manager's ConfigMap holds it) as far as the gang fixture needs: which
/// quota resource <c>resources.deviceClassMappings</c> counts a DeviceClass's devices as (Kueue's DRA support).
/// </summary>
public static class KueueConfiguration
{
    /// <summary>
    /// The name of the mapping whose <c>deviceClassNames</c> lists <paramref name="deviceClass"/>; null when
    /// <paramref name="text"/> is no Kueue Configuration or maps no such class.
    /// </summary>
    public static string? ResourceOf(string text, string deviceClass)
    {
        if (!text.Contains("config.kueue.x-k8s.io", StringComparison.Ordinal) || !text.Contains("kind: Configuration", StringComparison.Ordinal)) return null;
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var start = Array.FindIndex(lines, line => line.Trim() == "deviceClassMappings:");
        if (start < 0) return null;
        var indent = Indent(lines[start]);
        string? mapping = null;
        var inClasses = false;
        foreach (var line in lines.Skip(start + 1))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            // The block ends at the next key at its own indentation or less (its list items may sit at its indentation).
            if (Indent(line) < indent || (Indent(line) == indent && !trimmed.StartsWith("- ", StringComparison.Ordinal))) break;
            var entry = trimmed.StartsWith("- ", StringComparison.Ordinal) ? trimmed[2..].Trim() : trimmed;
            if (entry.StartsWith("name:", StringComparison.Ordinal)) (mapping, inClasses) = (Unquote(entry["name:".Length..]), false);
            else if (entry.StartsWith("deviceClassNames:", StringComparison.Ordinal))
            {
                var inline = entry["deviceClassNames:".Length..].Trim();
                inClasses = inline.Length == 0;
                if (inline.Trim('[', ']').Split(',').Select(Unquote).Contains(deviceClass)) return mapping;
            }
            else if (inClasses && trimmed.StartsWith("- ", StringComparison.Ordinal) && Unquote(entry) == deviceClass) return mapping;
            else if (!trimmed.StartsWith("- ", StringComparison.Ordinal)) inClasses = false;
        }
        return null;
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static string Unquote(string value) => value.Trim().Trim('"', '\'');
}
