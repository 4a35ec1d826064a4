using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Running;

/// <summary>
/// How many tests may run at once, and how many accelerator units their shares may add up to. The bound is the user's
/// (<c>--parallel N</c> or <c>run.parallel</c>) or, by default, the number of schedulable nodes (between 2 and
/// <see cref="MostByDefault"/>): a test places a few small pods and spends most of its time waiting for the cluster to
/// act, so two per node keep every node far from full. A cluster whose nodes cannot be read runs one test at a time.
/// </summary>
internal sealed record SideBySide(int Bound, int AcceleratorUnits, string Reason)
{
    public const int MostByDefault = 16;

    public bool Parallel => Bound > 1;

    /// <summary>
    /// NUnit workers: 0 runs on the runner's thread, one at a time; side by side, at least this many (the suite raises
    /// it to one per test, since a test waiting for its holdings blocks its worker).
    /// </summary>
    public int Workers => Parallel ? Math.Max(4 * Bound, 16) : 0;

    public static async Task<SideBySide> PlanAsync(RunContext run, int? requested)
    {
        if (requested == 1) return new SideBySide(1, 0, "--parallel 1: one test at a time");
        AcceleratorInventory inventory;
        try
        {
            inventory = await AcceleratorInventory.ReadAsync(run).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !run.Cancellation.IsCancellationRequested)
        {
            return requested is { } bound
                ? new SideBySide(bound, 1, $"--parallel {bound}; the cluster's accelerators could not be read ({e.Message}): their shares one at a time")
                : new SideBySide(1, 0, $"one test at a time: the cluster's nodes could not be read ({e.Message})");
        }
        var nodes = inventory.ReadyNodes.Count(node => node.Spec?.Unschedulable != true);
        var accelerator = AcceleratorDetection.Detect(inventory, AcceleratorSettings.From(run.Configuration)).Found.FirstOrDefault();
        var units = accelerator?.CapacityByNode.Values.Sum() ?? 0;
        var unitsText = units == 0 ? "no accelerator units found" : $"accelerator shares up to {units} units";
        return requested is { } chosen
            ? new SideBySide(chosen, Math.Max(units, 1), $"up to {chosen} tests at once (--parallel); {unitsText}")
            : new SideBySide(Math.Clamp(2 * nodes, 2, MostByDefault), Math.Max(units, 1),
                $"up to {Math.Clamp(2 * nodes, 2, MostByDefault)} tests at once (two per schedulable node, {nodes}; --parallel N to change); {unitsText}");
    }
}
