using AiConformance.Workloads;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// The plugin image's own workload roles, run as their real code against the simulated container: a container whose
/// command is <c>aiconformance &lt;role&gt; ...</c> (or whose plugin image is given the role as first argument).
/// </summary>
public static class WorkloadRolePrograms
{
    public const string Executable = "aiconformance";

    private static readonly Dictionary<string, Func<ProgramContext, IReadOnlyList<string>, CancellationToken, Task<int>>> Roles =
        new(StringComparer.Ordinal)
        {
            [WorkloadRoles.Probe] = (context, arguments, cancellationToken) =>
                ProbeRole.RunAsync(context.View, arguments, context.Write, context.Write, cancellationToken),
        };

    public static IEnumerable<string> Names => Roles.Keys;

    /// <summary>Adds or replaces a role's simulated process (roles that serve traffic register as they are built).</summary>
    public static void Register(string role, Func<ProgramContext, IReadOnlyList<string>, CancellationToken, Task<int>> run) => Roles[role] = run;

    /// <summary>The role program for a command line, or null when it runs no role of the plugin.</summary>
    public static IContainerProgram? Resolve(IReadOnlyList<string> commandLine, bool isPluginImage)
    {
        var words = commandLine.ToList();
        if (words.Count > 0 && Path.GetFileName(words[0]) == Executable) words.RemoveAt(0);
        else if (!isPluginImage) return null;
        if (words.Count == 0 || !Roles.TryGetValue(words[0], out var run)) return null;
        return new RoleProgram(run, words.Skip(1).ToList());
    }

    private sealed class RoleProgram(Func<ProgramContext, IReadOnlyList<string>, CancellationToken, Task<int>> run, IReadOnlyList<string> arguments)
        : IContainerProgram
    {
        public Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken) => run(context, arguments, cancellationToken);
    }
}
