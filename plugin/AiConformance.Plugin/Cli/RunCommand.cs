using System.CommandLine;
using AiConformance.Plugin.Running;
using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Cli;

/// <summary><c>aiconformance run</c>: runs the suite against a cluster and writes the reports.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).", HelpName = "FILE" };
        var options = new RunOptions();
        var timeout = Duration("--timeout", "Global deadline, e.g. 90m; then running tests are cancelled and the reports written.");
        var grace = Duration("--cleanup-grace", $"How long tests get to clean up after a stop (default 20s, or {RunnerSettings.CleanupGraceKey}).");
        var suiteAssembly = CommandOptions.SuiteAssembly();

        var command = new Command("run", "Run the AI conformance suite against a cluster and write junit.xml, e2e.log, the filled checklist, evidence and a summary.")
        {
            kubeconfig,
        };
        foreach (var option in options.All.Concat([timeout, grace, suiteAssembly]))
        {
            command.Add(option);
        }
        command.SetAction(async (parse, _) =>
        {
            var request = options.Apply(parse, new RunRequest
            {
                KubeconfigPath = parse.GetValue(kubeconfig),
                Timeout = parse.GetValue(timeout),
                CleanupGrace = parse.GetValue(grace),
                SuiteAssemblyPath = parse.GetValue(suiteAssembly),
                Output = parse.InvocationConfiguration.Output,
                ErrorOutput = parse.InvocationConfiguration.Error,
            });
            using var signal = new StopSignal(request.Output!, "stopping tests and writing the reports");
            var result = await ConformanceRun.ExecuteAsync(request, signal.Token).ConfigureAwait(false);
            return result.ExitCode;
        });
        return command;
    }

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
}
