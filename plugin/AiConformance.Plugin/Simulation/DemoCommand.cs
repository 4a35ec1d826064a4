using System.CommandLine;
using System.Diagnostics;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Server;
using AiConformance.Plugin.Cli;
using AiConformance.Plugin.Running;

namespace AiConformance.Plugin.Simulation;

/// <summary>
/// <c>aiconformance demo</c>: starts the simulated cluster of a scenario, runs the suite against it as the plugin's
/// ServiceAccount (RBAC enforced), and writes the same reports as <c>run</c>, all marked SIMULATED.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var scenario = ScenarioOption.Create();
        var options = new RunOptions();
        var stats = new Option<bool>("--stats") { Description = "Print wall time, the longest test and their ratio, accelerator-seconds, API requests by verb, watches and peak memory at the end." };
        var strict = new Option<bool>("--strict") { Description = "Exit 1 when a MUST requirement is not Implemented, as `run` does (default: 0 once the reports are written)." };
        var command = new Command("demo", "Run the suite against the embedded simulated cluster (no cluster needed); every output says SIMULATED.")
        {
            scenario,
        };
        foreach (var option in options.All.Concat([stats, strict]))
        {
            command.Add(option);
        }
        command.SetAction(async (parse, _) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var loaded = ScenarioOption.Load(parse.GetValue(scenario)!, stderr);
            if (loaded is null) return ExitCodes.UsageError;
            using var signal = new StopSignal(stdout, "stopping the demo");
            var clock = Stopwatch.StartNew();
            await using var host = await ScenarioOption.StartAsync(loaded, stderr, signal.Token);
            if (host is null) return ExitCodes.UsageError;
            var kubeconfig = Path.Combine(Path.GetTempPath(), $"aiconformance-demo-{Environment.ProcessId}.kubeconfig");
            host.Server.WriteKubeconfig(kubeconfig, KubeconfigIdentity.Plugin);
            try
            {
                var result = await ConformanceRun.ExecuteAsync(options.Apply(parse, new RunRequest
                {
                    KubeconfigPath = kubeconfig,
                    Simulated = true,
                    SimulationName = loaded.Name,
                    ConfigurationDefaults = loaded.SuiteConfiguration,
                    Output = stdout,
                    ErrorOutput = stderr,
                }), signal.Token);
                SimulationReport.WriteProblems(host, stdout);
                if (parse.GetValue(stats)) SimulationReport.WriteStatistics(host, clock.Elapsed, result.Timings, stdout);
                // A demo shows the flow; its verdict is in the reports. --strict makes it a check (verification, CI). A run
                // that could not run (an internal error) wrote no verdict: its exit code stands.
                if (result.ExitCode != ExitCodes.NotConformant || result.Error is not null || parse.GetValue(strict)) return result.ExitCode;
                stdout.WriteLine("demo: exit 0 because the reports were written; the verdict above is the simulated cluster's (--strict exits with it)");
                return ExitCodes.Conformant;
            }
            finally
            {
                File.Delete(kubeconfig);
            }
        });
        return command;
    }
}
