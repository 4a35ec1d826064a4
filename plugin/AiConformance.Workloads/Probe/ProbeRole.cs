namespace AiConformance.Workloads.Probe;

/// <summary>
/// The probe as a process: <c>aiconformance probe [--hold SECONDS]</c> prints its report, then keeps running for the
/// hold time (or until stopped) so that pods can be shown to run at the same time.
/// </summary>
public static class ProbeRole
{
    public const string HoldOption = "--hold";

    public static async Task<int> RunAsync(IContainerView view, int holdSeconds, Action<string> output, CancellationToken cancellationToken)
    {
        output(ProbeJson.Write(new ContainerProbe(view).Run()) + "\n");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(holdSeconds), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Being stopped while holding is the normal end.
        }
        return 0;
    }
}
