using System.CommandLine;
using AiConformance.Workloads;
using AiConformance.Workloads.Probe;

namespace AiConformance.Plugin.Workloads;

/// <summary>The workload roles the image plays in the fixtures' pods, as subcommands.</summary>
public static class WorkloadCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return ProbeCommand();
    }

    private static Command ProbeCommand()
    {
        var hold = new Option<int>("--hold")
        {
            Description = "Seconds to keep running after the report is printed, so that pods provably run at the same time (0: exit at once)",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command(WorkloadRoles.Probe,
            "Print one JSON document describing what this container sees: accelerator devices, accelerator environment, " +
            "nvidia-smi, kernel identity, processes, network interfaces and host mounts")
        {
            hold,
        };
        command.SetAction(async (parseResult, cancellation) =>
        {
            var seconds = parseResult.GetValue(hold);
            if (seconds < 0)
            {
                Console.Error.WriteLine($"--hold is {seconds}; give a number of seconds, 0 or more");
                return 2;
            }
            var report = new ContainerProbe(new HostContainerView()).Run();
            Console.Out.WriteLine(ProbeJson.Write(report));
            await Console.Out.FlushAsync(cancellation);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellation);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM from the kubelet while holding is the normal way to end.
            }
            return 0;
        });
        return command;
    }
}
