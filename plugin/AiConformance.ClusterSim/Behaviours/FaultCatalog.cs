namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// The faults a component's <c>fault:</c> option can name, each a class of its own; a fault is made afresh when a
/// scenario names it, since some keep state (a round-robin position, the first values seen).
/// </summary>
public sealed class FaultCatalog<T>(string what, IReadOnlyDictionary<string, Func<T>> byName) where T : class
{
    /// <summary>What the names are, for messages: "a gateway fault".</summary>
    public string What => what;

    public IEnumerable<string> Names => byName.Keys.Order(StringComparer.Ordinal);

    /// <summary>The fault of that name, or null for a name no fault has.</summary>
    public T? Named(string name) => byName.TryGetValue(name, out var create) ? create() : null;
}
