using AiConformance.ClusterSim.Network;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// What a simulated process has: its container view, its command line, its stdout (the container log), the
/// network namespace of its pod, and its stdin (null when not open: a container's main process without
/// <c>stdin: true</c>, or an exec'd command).
/// </summary>
public sealed record ProgramContext(
    InMemoryContainerView View,
    string Image,
    IReadOnlyList<string> CommandLine,
    Action<string> Write,
    SimulatedCluster Cluster,
    string Component,
    PodSandbox Sandbox,
    System.Threading.Channels.ChannelReader<string>? Stdin = null);

/// <summary>
/// The process of a simulated container. It returns its exit code; a server never returns and ends when the
/// container is stopped (its token is cancelled).
/// </summary>
public interface IContainerProgram
{
    Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken);
}

/// <summary>An image's default process when the scenario does not model it: a server that runs until stopped.</summary>
public sealed class RunsUntilStopped : IContainerProgram
{
    public static readonly RunsUntilStopped Instance = new();

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }
}
