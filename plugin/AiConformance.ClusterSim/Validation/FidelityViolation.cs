namespace AiConformance.ClusterSim.Validation;

/// <summary>
/// A field the real API server would drop because its schema does not know it: a request that depends on it works
/// here and silently fails on a real cluster, so every violation fails a verification run.
/// </summary>
public sealed record FidelityViolation(string Resource, string ObjectName, string Field, string Message)
{
    public override string ToString() => $"{Resource} \"{ObjectName}\": {Field}: {Message}";
}
