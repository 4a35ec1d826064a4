using System.Collections.Concurrent;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>What the simulated components did and complained about; warnings are kept for the run's report.</summary>
public sealed class SimulationLog
{
    private readonly ConcurrentQueue<string> warnings = new();

    /// <summary>Where lines go besides memory (the console in `sim serve --verbose`); null: nowhere.</summary>
    public TextWriter? Echo { get; set; }

    public IReadOnlyCollection<string> Warnings => warnings;

    public void Info(string component, string message) => Echo?.WriteLine($"[{component}] {message}");

    public void Warn(string component, string message)
    {
        var line = $"[{component}] WARNING {message}";
        warnings.Enqueue(line);
        Echo?.WriteLine(line);
    }
}
