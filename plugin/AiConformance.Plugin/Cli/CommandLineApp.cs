using System.CommandLine;
using AiConformance.Plugin.Packaging;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Simulation;
using AiConformance.Plugin.Sonobuoy;

namespace AiConformance.Plugin.Cli;

/// <summary>
/// The <c>aiconformance</c> command line, assembled from command factories so each area adds its commands without
/// touching the others. Parse errors exit with <see cref="ExitCodes.UsageError"/> and a hint, never a stack trace.
/// </summary>
public static class CommandLineApp
{
    /// <summary>Factories of the top-level commands, in help order.</summary>
    public static IReadOnlyList<Func<IEnumerable<Command>>> CommandFactories { get; } =
    [
        CoreCommands.Create,
        SimulationCommands.Create,
        PackagingCommands.Create,
        Workloads.WorkloadCommands.Create,
    ];

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "Kubernetes AI Conformance plugin: proves each requirement of the CNCF AI conformance checklist on a cluster " +
            "and fills the checklist. Exit codes: 0 every selected MUST requirement Implemented (or N/A); 1 some is not; " +
            "2 usage or configuration error; 3 cluster unreachable or unauthorized.");
        foreach (var factory in CommandFactories)
        {
            foreach (var command in factory())
            {
                root.Add(command);
            }
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
            var command = string.Join(' ', parse.CommandResult.Command.Parents.OfType<Command>().Reverse()
                .Skip(1).Select(c => c.Name).Append(parse.CommandResult.Command.Name).Where(n => n != parse.RootCommandResult.Command.Name));
            await error.WriteLineAsync($"hint: run 'aiconformance {command}{(command.Length > 0 ? " " : "")}--help'").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        // Signals are handled by the run itself (bounded cleanup, then reports); the parser must not end the process first.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, Output = output, Error = error };
        return await parse.InvokeAsync(configuration, CancellationToken.None).ConfigureAwait(false);
    }
}
