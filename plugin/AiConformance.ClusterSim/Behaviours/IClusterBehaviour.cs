namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// One component of the simulated cluster (scheduler, kubelet, a controller, a driver). It runs until cancelled,
/// acting on the store as the real component acts on the API server; the scenario enables and configures it.
/// </summary>
public interface IClusterBehaviour
{
    /// <summary>The component name the scenario uses (<c>scheduler</c>, <c>kubelet</c>, ...).</summary>
    string Name { get; }

    Task RunAsync(SimulatedCluster cluster, CancellationToken cancellationToken);
}
