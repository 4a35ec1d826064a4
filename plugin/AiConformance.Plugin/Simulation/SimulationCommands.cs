using System.CommandLine;

namespace AiConformance.Plugin.Simulation;

/// <summary>Commands that run against the embedded simulated cluster.</summary>
public static class SimulationCommands
{
    public static IEnumerable<Command> Create() => [DemoCommand.Create(), SimCommand.Create()];
}
