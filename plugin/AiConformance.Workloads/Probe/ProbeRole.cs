using System.Globalization;

namespace AiConformance.Workloads.Probe;

/// <summary>
/// The probe as a process: <c>aiconformance probe [--hold SECONDS]</c> prints its report, then keeps running for the
/// hold time (or until stopped) so that pods can be shown to run at the same time. The image's command line and the
/// simulated kubelet both run it through here.
/// </summary>
public static class ProbeRole
{
    public const string HoldOption = "--hold";

    /// <summary>Runs the probe; returns the exit code (2 for bad arguments, with the reason written to <paramref name="error"/>).</summary>
    public static async Task<int> RunAsync(IContainerView view, IReadOnlyList<string> arguments, Action<string> output, Action<string> error,
        CancellationToken cancellationToken)
    {
        var hold = 0;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var value = argument.StartsWith(HoldOption + "=", StringComparison.Ordinal) ? argument[(HoldOption.Length + 1)..]
                : argument == HoldOption && i + 1 < arguments.Count ? arguments[++i]
                : null;
            if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out hold))
            {
                error($"probe: unexpected argument '{argument}'; usage: aiconformance probe [{HoldOption} SECONDS]\n");
                return 2;
            }
        }

        output(ProbeJson.Write(new ContainerProbe(view).Run()) + "\n");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(hold), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Being stopped while holding is the normal end.
        }
        return 0;
    }
}
