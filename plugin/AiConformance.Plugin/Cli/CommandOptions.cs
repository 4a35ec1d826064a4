using System.CommandLine;

namespace AiConformance.Plugin.Cli;

/// <summary>Options several commands take, defined once.</summary>
public static class CommandOptions
{
    /// <summary>The hidden option naming a test assembly to run instead of AiConformance.Suite (used by the plugin's own tests).</summary>
    public static Option<string?> SuiteAssembly() => new("--suite-assembly") { Hidden = true, Description = "Test assembly to run instead of AiConformance.Suite." };

    public static Option<string?> Checklist(string description) => new("--checklist") { Description = description, HelpName = "v1.NN" };
}
