using System.Diagnostics;
using AiConformance.ClusterSim.Hosting;
using AiConformance.Plugin.Reports;

namespace AiConformance.Plugin.Simulation;

/// <summary>What the simulation itself has to say after a run: fidelity violations, modelling gaps, statistics.</summary>
public static class SimulationReport
{
    public static void WriteProblems(SimulationHost host, TextWriter output)
    {
        var violations = host.Server.FidelityViolations;
        if (violations.Count > 0)
        {
            output.WriteLine($"SIMULATION FIDELITY: {violations.Count} request(s) used fields a real API server would drop:");
            foreach (var violation in violations.Take(20)) output.WriteLine($"  - {violation}");
        }
        var warnings = host.Cluster.Log.Warnings;
        if (warnings.Count > 0)
        {
            output.WriteLine($"SIMULATION WARNINGS ({warnings.Count}):");
            foreach (var warning in warnings.Distinct().Take(20)) output.WriteLine($"  - {warning}");
        }
    }

    public static void WriteStatistics(SimulationHost host, TimeSpan wall, RunTimings? tests, TextWriter output)
    {
        var statistics = host.Server.RequestStatistics;
        using var process = Process.GetCurrentProcess();
        output.WriteLine($"SIMULATION STATISTICS (scenario {host.Scenario.Name})");
        output.WriteLine($"  wall time:        {wall.TotalSeconds:F1} s");
        if (tests is not null)
        {
            output.WriteLine($"  tests' wall time: {tests.Wall.TotalSeconds:F1} s");
            output.WriteLine($"  longest test:     {tests.LongestText}");
            output.WriteLine($"  wall / longest:   {tests.RatioText}");
            if (tests is { Together: { } together, Alone: { } alone })
            {
                output.WriteLine($"  side by side:     {together.WallText}; the longest {together.LongestText}; span / longest {together.RatioText}");
                output.WriteLine($"  alone first:      {alone.WallText}; the longest {alone.LongestText}");
            }
            output.WriteLine($"  accelerator-s:    {tests.AcceleratorSeconds:F1} accelerator-seconds held");
        }
        output.WriteLine($"  API requests:     {statistics.Total} ({string.Join(", ", statistics.ByVerb.Select(v => $"{v.Key} {v.Value}"))})");
        output.WriteLine($"  watches opened:   {statistics.Watches}");
        output.WriteLine($"  peak working set: {process.PeakWorkingSet64 / (1024 * 1024)} MiB (now {Environment.WorkingSet / (1024 * 1024)} MiB)");
    }
}
