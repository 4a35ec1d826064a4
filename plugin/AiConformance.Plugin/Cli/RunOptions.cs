using System.CommandLine;
using AiConformance.Plugin.Running;

namespace AiConformance.Plugin.Cli;

/// <summary>
/// The options <c>run</c> and <c>demo</c> share, defined once so that both accept the same values: the results
/// folder, the checklist version, the requirement filters, the configuration file and how many tests run side by side.
/// </summary>
public sealed class RunOptions
{
    public Option<string?> Output { get; } = new("--output", "-o")
    {
        Description = "Results folder (default: ./results/<UTC timestamp>; under Sonobuoy always $SONOBUOY_RESULTS_DIR).", HelpName = "DIR",
    };

    public Option<string?> Checklist { get; } = CommandOptions.Checklist("Checklist version to run (default: the cluster's minor version).");

    public Option<string[]> Levels { get; } = Repeatable("--level", "Only requirements of this level: MUST or SHOULD (repeatable).", "LEVEL");

    public Option<string[]> Sections { get; } = Repeatable("--section", "Only requirements of this checklist section, e.g. accelerators (repeatable).", "SECTION");

    public Option<string[]> Requirements { get; } = Repeatable("--requirement", "Only this requirement id (repeatable).", "ID");

    public Option<string[]> SkipRequirements { get; } = Repeatable("--skip-requirement", "Leave this requirement id out (repeatable).", "ID");

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "YAML configuration file; AICONFORMANCE_* environment variables override its keys.", HelpName = "FILE",
    };

    public Option<int?> Parallel { get; } = new("--parallel")
    {
        Description = $"The most tests run side by side, when what they hold does not conflict; 1 runs them one at a time (default: {RunnerSettings.ParallelKey}, else one per schedulable node).",
        HelpName = "N",
    };

    public RunOptions()
    {
        Parallel.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--parallel must be 1 or more; hint: --parallel 1 runs one test at a time");
            }
        });
        Levels.Validators.Add(result =>
        {
            foreach (var level in result.Tokens.Select(t => t.Value).Where(l => !RequirementSelection.IsLevel(l)))
            {
                result.AddError($"--level '{level}' is not a level; use MUST or SHOULD");
            }
        });
    }

    public IEnumerable<Option> All => [Output, Checklist, Levels, Sections, Requirements, SkipRequirements, Config, Parallel];

    /// <summary>The request with what the command line gave for these options.</summary>
    public RunRequest Apply(ParseResult parse, RunRequest request) => request with
    {
        OutputDirectory = parse.GetValue(Output),
        ChecklistVersion = parse.GetValue(Checklist),
        Levels = parse.GetValue(Levels) ?? [],
        Sections = parse.GetValue(Sections) ?? [],
        Requirements = parse.GetValue(Requirements) ?? [],
        SkipRequirements = parse.GetValue(SkipRequirements) ?? [],
        ConfigPath = parse.GetValue(Config),
        Parallel = parse.GetValue(Parallel),
    };

    private static Option<string[]> Repeatable(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
}
