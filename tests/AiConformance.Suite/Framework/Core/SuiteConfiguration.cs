using System.Collections;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Suite.Framework;

/// <summary>Raised for configuration that cannot be used; the message names the file and line or the key.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

/// <summary>
/// The user's settings as flat dotted keys (e.g. <c>accelerator.deviceClass</c>), looked up case-insensitively.
/// They come from a YAML file whose nested maps are flattened (<c>accelerator: {deviceClass: x}</c> becomes
/// <c>accelerator.deviceClass</c>), overridden by environment variables named <see cref="EnvironmentPrefix"/> plus the
/// key with dots as underscores (<c>AICONFORMANCE_ACCELERATOR_DEVICECLASS</c>).
/// </summary>
public sealed class SuiteConfiguration
{
    public const string EnvironmentPrefix = "AICONFORMANCE_";

    /// <summary>Environment variable holding the path of the YAML file, for runs without a <c>--config</c> option.</summary>
    public const string FileVariable = "AICONFORMANCE_CONFIG_FILE";

    /// <summary>Keys the framework itself reads; environment overrides are matched against these and the file's keys.</summary>
    public static readonly IReadOnlyList<string> FrameworkKeys = ["timeouts.scale"];

    private readonly Dictionary<string, string> values;

    public SuiteConfiguration(IReadOnlyDictionary<string, string> values)
    {
        this.values = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
    }

    public static SuiteConfiguration Empty { get; } = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Values => values;

    /// <summary>Reads <paramref name="path"/> (when given) and applies the environment's overrides.</summary>
    /// <param name="otherKeys">Keys of whoever runs the suite, spelled as documented, for matching environment overrides.</param>
    public static SuiteConfiguration Load(string? path, IDictionary? environment = null, IEnumerable<string>? otherKeys = null)
    {
        var fromFile = path is null ? new Dictionary<string, string>() : ReadYamlFile(path);
        var merged = new Dictionary<string, string>(fromFile, StringComparer.OrdinalIgnoreCase);
        var known = FrameworkKeys.Concat(otherKeys ?? []).Concat(fromFile.Keys).ToList();
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            var name = entry.Key.ToString() ?? "";
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || name.Equals(FileVariable, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            merged[KeyForVariable(name[EnvironmentPrefix.Length..], known)] = entry.Value?.ToString() ?? "";
        }
        return new SuiteConfiguration(merged);
    }

    /// <summary>Parses YAML text into flat keys; <paramref name="source"/> names the text in error messages.</summary>
    public static Dictionary<string, string> ParseYaml(string yaml, string source)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(
                $"{source}:{e.Start.Line}:{e.Start.Column}: malformed YAML: {FirstLine(e.Message)} (hint: check indentation and quoting)");
        }
        catch (InvalidOperationException)
        {
            // Some malformed input (e.g. an unclosed flow sequence) trips YamlDotNet without a YamlException.
            throw new ConfigurationException(
                $"{source}:{scanner.CurrentPosition.Line}:{scanner.CurrentPosition.Column}: malformed YAML: an unclosed bracket or quote (hint: check indentation and quoting)");
        }
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException($"{source}:{stream.Documents[0].RootNode.Start.Line}: the configuration must be a map of keys to values");
        }
        Flatten(root, "", result, source);
        return result;
    }

    public string? Get(string key) => values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    public string GetString(string key, string fallback) => Get(key) ?? fallback;

    public bool GetBool(string key, bool fallback) => Get(key) switch
    {
        null => fallback,
        var v when bool.TryParse(v, out var b) => b,
        "yes" or "on" or "1" => true,
        "no" or "off" or "0" => false,
        var v => throw Invalid(key, v, "true or false"),
    };

    public int GetInt(string key, int fallback) => Get(key) switch
    {
        null => fallback,
        var v when int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        var v => throw Invalid(key, v, "a whole number"),
    };

    public double GetDouble(string key, double fallback) => Get(key) switch
    {
        null => fallback,
        var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        var v => throw Invalid(key, v, "a number"),
    };

    /// <summary>A duration written as seconds (<c>90</c>) or with a unit (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>).</summary>
    public TimeSpan GetDuration(string key, TimeSpan fallback) => Get(key) switch
    {
        null => fallback,
        var v => ParseDuration(v) ?? throw Invalid(key, v, "a duration such as 90, 30s, 5m or 1h"),
    };

    /// <summary>A list written as a YAML sequence of scalars or a comma-separated string.</summary>
    public IReadOnlyList<string> GetList(string key) =>
        Get(key)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public static TimeSpan? ParseDuration(string text)
    {
        var value = text.Trim();
        (string number, double unitSeconds) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1),
            _ when value.EndsWith('m') => (value[..^1], 60),
            _ when value.EndsWith('h') => (value[..^1], 3600),
            _ => (value, 1),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0
            ? TimeSpan.FromSeconds(amount * unitSeconds)
            : null;
    }

    private static Dictionary<string, string> ReadYamlFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read the configuration file {path}: {e.Message}");
        }
        return ParseYaml(text, path);
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string> result, string source)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } name })
                    {
                        throw new ConfigurationException($"{source}:{key.Start.Line}: keys must be plain names");
                    }
                    Flatten(value, prefix.Length == 0 ? name : $"{prefix}.{name}", result, source);
                }
                break;
            case YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode):
                result[prefix] = string.Join(",", list.Children.Cast<YamlScalarNode>().Select(s => s.Value));
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++)
                {
                    Flatten(list.Children[i], $"{prefix}.{i}", result, source);
                }
                break;
            case YamlScalarNode scalar:
                result[prefix] = scalar.Value ?? "";
                break;
        }
    }

    private static string KeyForVariable(string suffix, IReadOnlyList<string> known) =>
        known.FirstOrDefault(k => k.Replace('.', '_').Equals(suffix, StringComparison.OrdinalIgnoreCase))
        ?? suffix.Replace('_', '.').ToLowerInvariant();

    private static ConfigurationException Invalid(string key, string value, string expected) =>
        new($"configuration key '{key}' is '{value}', expected {expected}");

    private static string FirstLine(string message)
    {
        var text = message.Split('\n')[0].Trim();
        var closing = text.IndexOf("): ", StringComparison.Ordinal);
        return text.StartsWith('(') && closing > 0 ? text[(closing + 3)..] : text;
    }
}
