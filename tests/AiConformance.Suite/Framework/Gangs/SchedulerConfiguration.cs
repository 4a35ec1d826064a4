namespace AiConformance.Suite.Framework.Gangs;

/// <summary>Reads a KubeSchedulerConfiguration (YAML) as far as the gang fixture needs: which profile enables a plugin.</summary>
public static class SchedulerConfiguration
{
    /// <summary>
    /// The <c>schedulerName</c> of the first profile whose text names <paramref name="plugin"/> (in <c>plugins</c> or
    /// <c>pluginConfig</c>); null when <paramref name="text"/> is no scheduler configuration or no profile names it.
    /// </summary>
    public static string? ProfileEnabling(string text, string plugin)
    {
        if (!text.Contains("kind: KubeSchedulerConfiguration", StringComparison.Ordinal)) return null;
        // Each profile starts at its schedulerName; what follows up to the next one is that profile.
        var parts = text.Split("schedulerName:", StringSplitOptions.None);
        for (var index = 1; index < parts.Length; index++)
        {
            var name = parts[index].Split('\n')[0].Trim().Trim('"', '\'');
            var profile = parts[index];
            if (profile.Contains($"name: {plugin}", StringComparison.Ordinal) || profile.Contains($"name: \"{plugin}\"", StringComparison.Ordinal))
                return name.Length > 0 ? name : null;
        }
        return null;
    }
}
