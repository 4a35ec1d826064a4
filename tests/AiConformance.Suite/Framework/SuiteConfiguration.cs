namespace AiConformance.Suite.Framework;

/// <summary>The user's settings as flat dotted keys (e.g. <c>accelerator.deviceClass</c>).</summary>
public sealed class SuiteConfiguration(IReadOnlyDictionary<string, string> values)
{
    public static SuiteConfiguration Empty { get; } = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Values { get; } = values;

    public string? Get(string key) => Values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}
