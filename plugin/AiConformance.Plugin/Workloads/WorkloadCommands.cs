using System.CommandLine;
using AiConformance.Plugin.Cli;
using AiConformance.Workloads;
using AiConformance.Workloads.Probe;

namespace AiConformance.Plugin.Workloads;

/// <summary>The workload roles the image plays in the fixtures' pods, as subcommands run by this process.</summary>
public static class WorkloadCommands
{
    public static IEnumerable<Command> Create() => RoleCommands.Create(new ProcessRoleHost());

    /// <summary>The process's own container: its files and environment, its host name, its network and its signals.</summary>
    private sealed class ProcessRoleHost : RoleHost
    {
        private IContainerView? view;

        public override IContainerView View => view ??= new HostContainerView();

        public override string HostName => Environment.MachineName;

        public override IDisposable WatchForStop(TextWriter output, string what, out CancellationToken stop)
        {
            var signal = new StopSignal(output, what);
            stop = signal.Token;
            return signal;
        }
    }
}
