using System.CommandLine;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.Plugin.Simulation;

internal static class ScenarioOption
{
    public static Option<string> Create() => new("--scenario", "-s")
    {
        Description = $"Embedded scenario name ({string.Join(", ", ScenarioLoader.EmbeddedNames)}) or a scenario YAML file.",
        HelpName = "NAME|FILE",
        DefaultValueFactory = _ => ScenarioLoader.DefaultName,
    };

    /// <summary>Starts the scenario's cluster, or prints the one clear error line (a CRD it names is missing) and returns null.</summary>
    public static async Task<SimulationHost?> StartAsync(Scenario scenario, TextWriter errors, CancellationToken cancellationToken)
    {
        try
        {
            return await SimulationHost.StartAsync(scenario, cancellationToken);
        }
        catch (ScenarioException e)
        {
            errors.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    /// <summary>Loads the scenario, or prints the one clear error line and returns null.</summary>
    public static Scenario? Load(string nameOrFile, TextWriter errors)
    {
        try
        {
            return ScenarioLoader.Load(nameOrFile);
        }
        catch (ScenarioException e)
        {
            errors.WriteLine($"error: {e.Message}");
            return null;
        }
    }
}
