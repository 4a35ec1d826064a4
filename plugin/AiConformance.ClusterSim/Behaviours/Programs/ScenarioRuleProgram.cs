using System.Net;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Workloads.Serving;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// A program the scenario models (<c>programs:</c>): prints its output, answers HTTP on its <c>serves:</c> ports
/// through the pod network while it runs, and exits with its code; or, when it needs an accelerator and none is
/// visible in the container, behaves as the rule's <c>otherwise</c> says.
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
        var servers = new List<HttpRoleServer>();
        foreach (var port in (rule.Serves ?? []).Select(a => a.Port).Distinct())
        {
            try
            {
                servers.Add(context.Cluster.Network.Serve(context.Sandbox, port, (request, _) => Task.FromResult(Answer(port, request))));
            }
            catch (HttpListenerException e)
            {
                context.Write($"listen tcp :{port}: bind: {e.Message.ToLowerInvariant()}\n");
                await StopAsync(servers);
                return 1;
            }
        }
        if (rule.GpuUtilization is { } percent) context.Cluster.DeviceUsage.Busy(context.Sandbox.Uid, percent);
        try
        {
            return await RunAsync(context, rule, cancellationToken);
        }
        finally
        {
            if (rule.GpuUtilization is not null) context.Cluster.DeviceUsage.Idle(context.Sandbox.Uid);
            await StopAsync(servers);
        }
    }

    private static async Task<int> RunAsync(ProgramContext context, ProgramRule rule, CancellationToken cancellationToken)
    {
        context.Write(rule.Output);
        if (rule.RunsFor is null)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        await Task.Delay(rule.RunsFor.Value > TimeSpan.Zero ? rule.RunsFor.Value : context.Cluster.Latencies.ProgramRun, cancellationToken);
        return rule.ExitCode;
    }

    private RoleResponse Answer(int port, HttpListenerRequest request)
    {
        var path = request.Url?.AbsolutePath ?? "/";
        var answers = (rule.Serves ?? []).Where(a => a.Port == port).ToList();
        var answer = answers.FirstOrDefault(a => a.Path == path) ?? answers.FirstOrDefault(a => a.Path is null);
        // As Go's default mux answers a path nobody registered.
        if (answer is null) return new RoleResponse(404, "text/plain; charset=utf-8", "404 page not found\n");
        var headers = new Dictionary<string, string>(answer.Headers ?? [], StringComparer.OrdinalIgnoreCase);
        var contentType = headers.Remove("Content-Type", out var given) ? given : "text/plain; charset=utf-8";
        return new RoleResponse(answer.Status, contentType, answer.Body, headers);
    }

    private static async Task StopAsync(List<HttpRoleServer> servers)
    {
        foreach (var server in servers) await server.DisposeAsync();
    }

    /// <summary>A GPU is visible when the runtime put a GPU device node or a DRA-injected device variable in the container.</summary>
    public static bool HasAccelerator(ProgramContext context) =>
        context.View.List("/dev").Any(p => System.Text.RegularExpressions.Regex.IsMatch(p, @"^/dev/(nvidia\d+|kfd|neuron\d+)$"))
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
