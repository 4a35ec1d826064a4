using System.CommandLine;
using System.CommandLine.Parsing;
using AiConformance.Plugin.Packaging.Images;
using AiConformance.Plugin.Packaging.Submission;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Simulation;
using AiConformance.Plugin.Sonobuoy;
using AiConformance.Plugin.Workloads;

namespace AiConformance.Plugin.Cli;

/// <summary>
/// The <c>aiconformance</c> command line: the runner's commands, the simulated cluster's, packaging and the workload
/// roles, in help order. Parse errors exit with <see cref="ExitCodes.UsageError"/> and a hint, never a stack trace.
/// </summary>
public static class CommandLineApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "Kubernetes AI Conformance plugin: proves each requirement of the CNCF AI conformance checklist on a cluster " +
            "and fills the checklist. Exit codes: 0 every selected MUST requirement Implemented (or N/A); 1 some is not; " +
            "2 usage or configuration error; 3 cluster unreachable or unauthorized.");
        Command[] commands =
        [
            RunCommand.Create(), ListCommand.Create(), VersionCommand.Create(),
            DemoCommand.Create(), SimCommand.Create(),
            ImagesCommand.Create(), SubmissionCommand.Create(),
            .. WorkloadCommands.Create(),
        ];
        foreach (var command in commands)
        {
            root.Add(command);
        }
        return root;
    }

    /// <param name="environment">Read for the Sonobuoy variables instead of the process environment (tests).</param>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string>? environment = null)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Under Sonobuoy a plugin definition with bad arguments must still end with a result and `done`.
            if (SonobuoyEnvironment.From(environment ?? ConformanceRun.ProcessEnvironment()) is { } sonobuoy)
            {
                SetupFailure.Report(sonobuoy, "bad command line: " + string.Join("; ", parse.Errors.Select(e => e.Message)), simulated: false);
            }
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}").ConfigureAwait(false);
            }
            var command = CommandPath(parse);
            await error.WriteLineAsync($"hint: run 'aiconformance {command}{(command.Length > 0 ? " " : "")}--help'").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        // Signals are handled by the run itself (bounded cleanup, then reports); the parser must not end the process first.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, Output = output, Error = error };
        return await parse.InvokeAsync(configuration, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The words after <c>aiconformance</c> that name the failed command (<c>sim serve</c>), from the parse's result chain.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result != parse.RootCommandResult; result = (CommandResult)result.Parent!)
            names.Insert(0, result.Command.Name);
        return string.Join(' ', names);
    }
}
