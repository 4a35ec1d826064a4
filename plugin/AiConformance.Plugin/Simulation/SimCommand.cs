using System.CommandLine;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Server;
using AiConformance.Plugin.Cli;
using AiConformance.Plugin.Running;

namespace AiConformance.Plugin.Simulation;

/// <summary><c>aiconformance sim serve|scenarios|show</c>: the simulated cluster for any client (kubectl, the suite under dotnet test).</summary>
public static class SimCommand
{
    public static Command Create()
    {
        var command = new Command("sim", "The embedded simulated cluster: serve it to any client, list or show its scenarios.");
        command.Subcommands.Add(Serve());
        command.Subcommands.Add(Scenarios());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Serve()
    {
        var scenario = ScenarioOption.Create();
        var kubeconfig = new Option<string>("--kubeconfig-out") { Description = "Where to write the kubeconfig of the simulated cluster.", HelpName = "FILE", Required = true };
        var asPlugin = new Option<bool>("--as-plugin") { Description = "Write the plugin ServiceAccount's credentials (RBAC-limited) instead of the admin's." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print what the simulated components do." };
        var command = new Command("serve", "Serve the simulated cluster of a scenario until interrupted (SIGINT/SIGTERM).") { scenario, kubeconfig, asPlugin, verbose };
        command.SetAction(async (parse, _) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var loaded = ScenarioOption.Load(parse.GetValue(scenario)!, parse.InvocationConfiguration.Error);
            if (loaded is null) return ExitCodes.UsageError;
            using var signal = new StopSignal(stdout, "stopping the simulated cluster");
            await using var host = await ScenarioOption.StartAsync(loaded, parse.InvocationConfiguration.Error, signal.Token);
            if (host is null) return ExitCodes.UsageError;
            if (parse.GetValue(verbose)) host.Cluster.Log.Echo = stdout;
            var path = parse.GetValue(kubeconfig)!;
            host.Server.WriteKubeconfig(path, parse.GetValue(asPlugin) ? KubeconfigIdentity.Plugin : KubeconfigIdentity.Admin);
            stdout.WriteLine($"SIMULATED cluster '{loaded.Name}' (Kubernetes {loaded.KubernetesVersion}) serving at {host.Server.BaseUrl}");
            stdout.WriteLine($"kubeconfig: {Path.GetFullPath(path)}   (export KUBECONFIG={Path.GetFullPath(path)})");
            stdout.WriteLine("ready; press Ctrl+C to stop");
            stdout.Flush();
            try { await Task.Delay(Timeout.Infinite, signal.Token); }
            catch (OperationCanceledException) { }
            SimulationReport.WriteProblems(host, stdout);
            return 0;
        });
        return command;
    }

    private static Command Scenarios()
    {
        var command = new Command("scenarios", "List the embedded scenarios.");
        command.SetAction(parse =>
        {
            foreach (var name in ScenarioLoader.EmbeddedNames)
            {
                var scenario = ScenarioLoader.Load(name);
                var breaks = scenario.Breaks is null ? "" : $" [breaks {scenario.Breaks}]";
                parse.InvocationConfiguration.Output.WriteLine($"{name,-40} {scenario.Description}{breaks}");
            }
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME") { Description = "Embedded scenario name." };
        var command = new Command("show", "Print an embedded scenario's YAML (a starting point for your own).") { name };
        command.SetAction(parse =>
        {
            var text = ScenarioLoader.EmbeddedText(parse.GetValue(name)!);
            if (text is null)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: no embedded scenario '{parse.GetValue(name)}'; see `aiconformance sim scenarios`");
                return ExitCodes.UsageError;
            }
            parse.InvocationConfiguration.Output.Write(text);
            return 0;
        });
        return command;
    }
}
