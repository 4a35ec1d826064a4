using System.CommandLine;

namespace AiConformance.Plugin.Cli;

/// <summary>The commands of the runner itself: run, list, version.</summary>
public static class CoreCommands
{
    public static IEnumerable<Command> Create() => [RunCommand.Create(), ListCommand.Create(), VersionCommand.Create()];

    /// <summary>The hidden option naming a test assembly to run instead of AiConformance.Suite (used by the plugin's own tests).</summary>
    public static Option<string?> SuiteAssemblyOption() => new("--suite-assembly") { Hidden = true, Description = "Test assembly to run instead of AiConformance.Suite." };

    public static Option<string?> ChecklistOption(string description) => new("--checklist") { Description = description, HelpName = "v1.NN" };
}
