using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Namespaces the suite leaves when a run is killed before its cleanup: each carries the run label. At the start of a
/// run those of earlier runs are deleted (only once older than <see cref="SweepAgeKey"/>, so that a run going on at
/// the same time against the same cluster is not disturbed); at the end, any of this run's own that remain.
/// </summary>
public static class LeftoverSweep
{
    /// <summary>Minutes a namespace of another run must have existed before it is swept (default 30; 0 sweeps all).</summary>
    public const string SweepAgeKey = "run.sweepLeftoversAfterMinutes";

    public static async Task SweepEarlierRunsAsync(RunContext run)
    {
        var minimumAge = TimeSpan.FromMinutes(run.Configuration.GetInt(SweepAgeKey, 30));
        await DeleteAsync(run, $"{RunContext.RunLabel},{RunContext.RunLabel}!={run.RunId}",
            ns => DateTime.UtcNow - (ns.Metadata.CreationTimestamp ?? DateTime.UtcNow) >= minimumAge, "left by an earlier run");
    }

    public static Task SweepThisRunAsync(RunContext run) =>
        DeleteAsync(run, $"{RunContext.RunLabel}={run.RunId}", _ => true, "left by this run");

    private static async Task DeleteAsync(RunContext run, string selector, Func<V1Namespace, bool> eligible, string why)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            var namespaces = await run.Kubernetes.CoreV1.ListNamespaceAsync(labelSelector: selector, cancellationToken: limit.Token);
            foreach (var ns in namespaces.Items.Where(ns => ns.Status?.Phase != "Terminating" && eligible(ns)))
            {
                await run.Kubernetes.CoreV1.DeleteNamespaceAsync(ns.Metadata.Name, cancellationToken: limit.Token);
                TestContext.Progress.WriteLine($"cleanup: deleted namespace {ns.Metadata.Name} ({why})");
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A sweep that cannot finish must not stop the run; the next run tries again.
            TestContext.Progress.WriteLine($"cleanup: could not sweep namespaces {why}: {error.Message}");
        }
    }
}
