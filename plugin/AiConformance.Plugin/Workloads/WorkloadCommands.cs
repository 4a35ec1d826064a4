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
        var hold = new Option<int>(ProbeRole.HoldOption)
        {
            Description = "Seconds to keep running after the report is printed, so that pods provably run at the same time (0: exit at once)",
            DefaultValueFactory = _ => 0,
            HelpName = "SECONDS",
        };
        var command = new Command(WorkloadRoles.Probe,
            "Print one JSON document describing what this container sees: accelerator devices, accelerator environment, " +
            "nvidia-smi, kernel identity, processes, network interfaces and host mounts")
        {
            hold,
        };
        command.SetAction(async (parseResult, cancellation) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var seconds = parseResult.GetValue(hold);
            if (seconds < 0)
            {
                await error.WriteLineAsync($"{ProbeRole.HoldOption} is {seconds}; give a number of seconds, 0 or more");
                return 2;
            }
            var code = await ProbeRole.RunAsync(new HostContainerView(), [ProbeRole.HoldOption, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                text => { output.Write(text); output.Flush(); }, error.Write, cancellation);
            return code;
        });
        return command;
    }
}
