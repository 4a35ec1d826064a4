using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using AiConformance.Plugin.Running;
using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Cli;

/// <summary><c>aiconformance run</c>: runs the suite against a cluster and writes the reports.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).", HelpName = "FILE" };
        var checklist = CoreCommands.ChecklistOption("Checklist version to run (default: the cluster's minor version).");
        var output = new Option<string?>("--output", "-o") { Description = "Results folder (default: ./results/<UTC timestamp>; under Sonobuoy always $SONOBUOY_RESULTS_DIR).", HelpName = "DIR" };
        var levels = Repeatable("--level", "Only requirements of this level: MUST or SHOULD (repeatable).", "LEVEL");
        levels.AcceptOnlyFromAmong("MUST", "SHOULD", "must", "should");
        var sections = Repeatable("--section", "Only requirements of this checklist section, e.g. accelerators (repeatable).", "SECTION");
        var requirements = Repeatable("--requirement", "Only this requirement id (repeatable).", "ID");
        var skips = Repeatable("--skip-requirement", "Leave this requirement id out (repeatable).", "ID");
        var config = new Option<string?>("--config") { Description = "YAML configuration file; AICONFORMANCE_* environment variables override its keys.", HelpName = "FILE" };
        var timeout = Duration("--timeout", "Global deadline, e.g. 90m; then running tests are cancelled and the reports written.");
        var grace = Duration("--cleanup-grace", "How long tests get to clean up after a stop (default 20s, or run.cleanupGraceSeconds).");
        var suiteAssembly = CoreCommands.SuiteAssemblyOption();

        var command = new Command("run", "Run the AI conformance suite against a cluster and write junit.xml, e2e.log, the filled checklist, evidence and a summary.")
        {
            kubeconfig, checklist, output, levels, sections, requirements, skips, config, timeout, grace, suiteAssembly,
        };
        command.SetAction(async (parse, _) =>
        {
            var request = new RunRequest
            {
                KubeconfigPath = parse.GetValue(kubeconfig),
                ChecklistVersion = parse.GetValue(checklist),
                OutputDirectory = parse.GetValue(output),
                Levels = parse.GetValue(levels) ?? [],
                Sections = parse.GetValue(sections) ?? [],
                Requirements = parse.GetValue(requirements) ?? [],
                SkipRequirements = parse.GetValue(skips) ?? [],
                ConfigPath = parse.GetValue(config),
                Timeout = parse.GetValue(timeout),
                CleanupGrace = parse.GetValue(grace),
                SuiteAssemblyPath = parse.GetValue(suiteAssembly),
                Output = parse.InvocationConfiguration.Output,
                ErrorOutput = parse.InvocationConfiguration.Error,
            };
            using var signals = new StopSignals(request.Output!);
            var result = await ConformanceRun.ExecuteAsync(request, signals.Token).ConfigureAwait(false);
            return result.ExitCode;
        });
        return command;
    }

    private static Option<string[]> Repeatable(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    private static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (SuiteConfiguration.ParseDuration(text) is { } value && value > TimeSpan.Zero)
            {
                return value;
            }
            result.AddError($"{name} '{text}' is not a duration; use e.g. 90s, 45m or 2h");
            return null;
        },
    };

    /// <summary>
    /// SIGTERM (Sonobuoy's timeout, <c>kubectl delete</c>) and SIGINT (Ctrl+C) stop the run gracefully; a second
    /// signal ends the process at once.
    /// </summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource source = new();
        private readonly PosixSignalRegistration[] registrations;
        private readonly TextWriter output;

        public StopSignals(TextWriter output)
        {
            this.output = output;
            registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle), PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle)];
        }

        public CancellationToken Token => source.Token;

        private void Handle(PosixSignalContext context)
        {
            if (source.IsCancellationRequested)
            {
                return;
            }
            context.Cancel = true;
            output.WriteLine($"aiconformance: {context.Signal} received; stopping tests and writing the reports");
            source.Cancel();
        }

        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
            source.Dispose();
        }
    }
}
