using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// A program the scenario models (<c>programs:</c>): prints its output and exits with its code, or, when it needs an
/// accelerator and none is visible in the container, behaves as the rule's <c>otherwise</c> says.
/// </summary>
public sealed class ScenarioRuleProgram(ProgramRule rule) : IContainerProgram
{
    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        var satisfied = rule.Requires is null || (rule.Requires == "gpu" && HasAccelerator(context));
        if (!satisfied)
        {
            var otherwise = rule.Otherwise ?? new ProgramOutcome { Output = "no accelerator is visible in this container\n", ExitCode = 1 };
            context.Write(otherwise.Output);
            await Task.Delay(context.Cluster.Latencies.ProgramRun, cancellationToken);
            return otherwise.ExitCode;
        }
        context.Write(rule.Output);
        if (rule.RunsFor is null)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        await Task.Delay(rule.RunsFor.Value > TimeSpan.Zero ? rule.RunsFor.Value : context.Cluster.Latencies.ProgramRun, cancellationToken);
        return rule.ExitCode;
    }

    /// <summary>A GPU is visible when the runtime put a GPU device node or a DRA-injected device variable in the container.</summary>
    public static bool HasAccelerator(ProgramContext context) =>
        context.View.List("/dev").Any(p => System.Text.RegularExpressions.Regex.IsMatch(p, @"^/dev/nvidia\d+$"))
        || context.View.Environment.Keys.Any(k => k.StartsWith("GPU_DEVICE_", StringComparison.Ordinal));

    public static bool Matches(ProgramRule rule, string image, IReadOnlyList<string> commandLine) =>
        Glob.Matches(rule.Image, image)
        && (rule.Command is null || string.Join(' ', commandLine).Contains(rule.Command, StringComparison.Ordinal));
}

/// <summary>Shell-style wildcards (<c>*</c>, <c>?</c>) for image references.</summary>
public static class Glob
{
    public static bool Matches(string pattern, string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
}
