namespace AiConformance.ClusterSim.Validation;

/// <summary>
/// A field the real API server would drop because its schema does not know it: a request that depends on it works
/// here and silently fails on a real cluster, so every violation fails a verification run.
/// </summary>
public sealed record FidelityViolation(string Resource, string ObjectName, string Field, string Message)
{
    /// <summary>Who wrote the object: the API user of the request, or the simulated cluster's own behaviours.</summary>
    public string Source { get; init; } = BehaviourSource;

    public const string BehaviourSource = "a simulated cluster behaviour (through the store)";

    public override string ToString() => $"{Resource} \"{ObjectName}\": {Field}: {Message} (written by {Source})";
}
