namespace AiConformance.ClusterSim.Discovery;

/// <summary>
/// The simulated API server says what it is in its version, as distributions do with build metadata
/// (<c>v1.35.0+k3s1</c>): <c>v1.35.0+aiconformance.simulated</c>. Any client that connects through a kubeconfig, not
/// only <c>demo</c>, can so tell a simulated cluster from a real one and mark its results as simulated.
/// </summary>
public static class SimulatedVersion
{
    public const string BuildMetadata = "+aiconformance.simulated";

    public static bool IsSimulated(string? gitVersion) =>
        gitVersion is not null && gitVersion.EndsWith(BuildMetadata, StringComparison.Ordinal);
}
