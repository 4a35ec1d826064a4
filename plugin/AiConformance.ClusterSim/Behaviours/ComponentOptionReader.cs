using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// Typed options of a simulation component, read from the scenario's option map (<c>components.NAME.options</c>).
/// <see cref="Read"/> takes every value it knows through the reader, which turns each unusable value and each key
/// nobody read into one problem line naming the component and the option.
/// </summary>
public interface IComponentOptions<out TSelf> where TSelf : IComponentOptions<TSelf>
{
    static abstract TSelf Read(ComponentOptionReader options);
}

/// <summary>
/// Reads one component's option map on behalf of its options record: each read declares its key (so what is left
/// unread is an unknown option) and a value that cannot be used adds a problem and yields the default.
/// </summary>
public sealed class ComponentOptionReader(string component, ComponentOptions? options)
{
    private readonly IReadOnlyDictionary<string, string> values = options?.Options ?? [];
    private readonly List<string> known = [];
    private readonly List<string> problems = [];

    /// <summary>The component whose options these are.</summary>
    public string Component => component;

    /// <summary>The value of <paramref name="key"/>, or null when the scenario does not set it.</summary>
    public string? Text(string key)
    {
        if (!known.Contains(key, StringComparer.Ordinal)) known.Add(key);
        return values.GetValueOrDefault(key);
    }

    public string Text(string key, string fallback) => Text(key) ?? fallback;

    /// <summary>A duration such as <c>10s</c> or <c>200ms</c>; zero is refused where <paramref name="aboveZero"/>.</summary>
    public TimeSpan Duration(string key, TimeSpan fallback, bool aboveZero = false) => Text(key) switch
    {
        null => fallback,
        var text when DurationConverter.Parse(text) is { } duration && (aboveZero ? duration > TimeSpan.Zero : duration >= TimeSpan.Zero) => duration,
        var text => Refuse(key, text, $"is not a duration{(aboveZero ? " above zero" : "")} (e.g. 10s, 200ms)", fallback),
    };

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public bool Flag(string key, bool fallback) => Text(key) switch
    {
        null => fallback,
        var text when bool.TryParse(text, out var value) => value,
        var text => Refuse(key, text, "is not true or false", fallback),
    };

    /// <summary>One of a closed set of words, each standing for a value.</summary>
    public T OneOf<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices) => Text(key) switch
    {
        null => fallback,
        var text when choices.TryGetValue(text, out var value) => value,
        var text => Refuse(key, text, $"is not one of {string.Join(", ", choices.Keys)}", fallback),
    };

    /// <summary>The fault the <c>fault</c> option names from <paramref name="faults"/>; <paramref name="fallback"/> (a working component) without one.</summary>
    public T Fault<T>(FaultCatalog<T> faults, T fallback) where T : class => OptionalFault(faults) ?? fallback;

    /// <summary>The fault the <c>fault</c> option names from <paramref name="faults"/>; null without one.</summary>
    public T? OptionalFault<T>(FaultCatalog<T> faults) where T : class => Text("fault") switch
    {
        null => null,
        var text when faults.Named(text) is { } fault => fault,
        var text => Refuse<T?>("fault", text, $"is not {faults.What}; known: {string.Join(", ", faults.Names)}", null),
    };

    /// <summary>Refuses <paramref name="value"/> of <paramref name="key"/> for the reason given; yields the default.</summary>
    public T Refuse<T>(string key, string value, string why, T fallback)
    {
        problems.Add($"components.{component}.options.{key} '{value}' {why}");
        return fallback;
    }

    /// <summary>Every problem found while reading, one line each; read it after the options record read its keys.</summary>
    public IReadOnlyList<string> Problems =>
    [
        .. values.Keys.Where(key => !known.Contains(key, StringComparer.Ordinal)).Select(key =>
            $"components.{component}.options.{key} is not an option of {component}; known: {(known.Count == 0 ? "none" : string.Join(", ", known))}"),
        .. problems,
    ];

    /// <summary>Reads the options record of <paramref name="component"/> and the problems found doing so.</summary>
    public static (TOptions Options, IReadOnlyList<string> Problems) Read<TOptions>(string component, ComponentOptions? options)
        where TOptions : IComponentOptions<TOptions>
    {
        var reader = new ComponentOptionReader(component, options);
        var read = TOptions.Read(reader);
        return (read, reader.Problems);
    }
}

/// <summary>The options of a component that has none: every key set is unknown.</summary>
public sealed record NoOptions : IComponentOptions<NoOptions>
{
    public static NoOptions Read(ComponentOptionReader options) => new();
}
