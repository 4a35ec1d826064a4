using System.CommandLine;
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
