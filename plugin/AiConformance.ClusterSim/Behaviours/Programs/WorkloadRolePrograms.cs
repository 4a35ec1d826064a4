using System.CommandLine;
using System.Text;
using AiConformance.Workloads;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// The plugin image's own workload roles, run as their real code against the simulated container: a container whose
/// command is <c>aiconformance &lt;role&gt; ...</c> (or whose plugin image is given the role as first argument) parses
/// and runs the role's command, with the container's view, the pod network and its log as stdout and stderr.
/// </summary>
public static class WorkloadRolePrograms
{
    public const string Executable = "aiconformance";

    /// <summary>The role program for a command line, or null when it runs no role of the plugin.</summary>
    public static IContainerProgram? Resolve(IReadOnlyList<string> commandLine, bool isPluginImage)
    {
        var words = commandLine.ToList();
        if (words.Count > 0 && Path.GetFileName(words[0]) == Executable) words.RemoveAt(0);
        else if (!isPluginImage) return null;
        if (words.Count == 0 || !RoleCommands.Names.Contains(words[0])) return null;
        return new RoleProgram(words);
    }

    private sealed class RoleProgram(IReadOnlyList<string> arguments) : IContainerProgram
    {
        public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
        {
            var root = new RootCommand();
            foreach (var command in RoleCommands.Create(new SimulatedRoleHost(context))) root.Add(command);
            var parse = root.Parse(arguments);
            if (parse.Errors.Count > 0)
            {
                // As the image's command line answers a bad argument: one line per problem, exit 2.
                foreach (var error in parse.Errors) context.Write($"error: {error.Message}\n");
                return 2;
            }
            using var log = new LogWriter(context.Write);
            var configuration = new InvocationConfiguration
            {
                Output = log,
                Error = log,
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
            };
            var code = await parse.InvokeAsync(configuration, cancellationToken);
            await log.FlushAsync(CancellationToken.None);
            return code;
        }
    }

    /// <summary>The container's stdout and stderr: text goes to its log as the process writes it.</summary>
    private sealed class LogWriter(Action<string> write) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => write(value.ToString());

        public override void Write(string? value)
        {
            if (!string.IsNullOrEmpty(value)) write(value);
        }

        public override void Write(char[] buffer, int index, int count) => write(new string(buffer, index, count));
    }
}
