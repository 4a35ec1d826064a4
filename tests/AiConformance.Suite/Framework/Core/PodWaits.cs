using AiConformance.Workloads.Probe;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>Waits on pods of a test namespace and reading what their probes printed.</summary>
public static class PodWaits
{
    /// <summary>Logs cannot be watched for a complete document; this is how often they are read until one is there.</summary>
    private static readonly TimeSpan LogReadInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Waits until all <paramref name="names"/> are Running at the same moment (so a pod that ran and ended before
    /// the next started does not count); fails at once when one of them ends or cannot start.
    /// </summary>
    public static async Task<IReadOnlyList<V1Pod>> WaitForRunningAsync(this TestNamespace ns, params string[] names)
    {
        var pods = await Wait.For(ns.Pods())
            .Until($"pods [{string.Join(", ", names)}] to run at the same time",
                seen => Named(seen, names).Count == names.Length && Named(seen, names).All(IsRunning) || Named(seen, names).Any(HasEnded))
            .DescribedBy(seen => Describe(Named(seen, names)))
            .Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
        var ended = Named(pods, names).Where(HasEnded).ToList();
        if (ended.Count > 0)
            Assert.Fail($"pods [{string.Join(", ", names)}] were to run at the same time, but some ended: {Describe(ended)}");
        var running = Named(pods, names);
        foreach (var pod in running) Evidence.Observed($"pod {pod.Metadata.Name}", $"Running on {pod.Spec.NodeName}");
        return running;
    }

    /// <summary>Waits until the pod is bound to a node.</summary>
    public static async Task<V1Pod> WaitForScheduledAsync(this TestNamespace ns, string name)
    {
        var pods = await Wait.For(ns.Pods(name))
            .Until($"pod {name} to be scheduled", seen => seen.Any(pod => !string.IsNullOrEmpty(pod.Spec.NodeName)))
            .DescribedBy(Describe).Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation);
        return pods.Single();
    }

    /// <summary>Negative control: the pod must stay Pending and unscheduled for the whole period.</summary>
    public static async Task<V1Pod> StaysPendingAsync(this TestNamespace ns, string name, TimeSpan period)
    {
        var pods = await Wait.For(ns.Pods(name))
            .Holding($"pod {name} to stay Pending and unscheduled",
                seen => seen.Count == 1 && seen[0].Status?.Phase is null or "Pending" && string.IsNullOrEmpty(seen[0].Spec.NodeName))
            .DescribedBy(Describe).Within(period).Async(ns.Cancellation);
        Evidence.Observed($"pod {name} after {period.TotalSeconds:0.#} s", Describe(pods));
        return pods.Single();
    }

    /// <summary>Waits until the pods are gone (after their deletion).</summary>
    public static async Task WaitForGoneAsync(this TestNamespace ns, params string[] names) =>
        await Wait.For(ns.Pods())
            .Until($"pods [{string.Join(", ", names)}] to be deleted", seen => Named(seen, names).Count == 0)
            .DescribedBy(seen => Describe(Named(seen, names)))
            .Within(ns.Timeouts.PodCompleted).Async(ns.Cancellation);

    /// <summary>
    /// Reads the probe report a container printed, waiting until the whole document is in the log; a read whose
    /// stream breaks is read again (and the evidence says so).
    /// </summary>
    public static async Task<ProbeReport> ReadProbeAsync(this TestNamespace ns, string pod, string container = "probe")
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ns.Cancellation);
        deadline.CancelAfter(ns.Timeouts.PodRunning);
        var resumed = new ResumedStreams($"reading the log of {pod}/{container}");
        var log = "";
        try
        {
            while (true)
            {
                try
                {
                    using var stream = await ns.Kubernetes.CoreV1.ReadNamespacedPodLogAsync(pod, ns.Name, container, cancellationToken: deadline.Token);
                    using var reader = new StreamReader(stream);
                    log = await reader.ReadToEndAsync(deadline.Token);
                    var report = ProbeJson.Read(log);
                    Evidence.Observed($"probe {pod}/{container} accelerators",
                        report.Accelerators.Count == 0 ? "none" : string.Join(", ", report.Accelerators.Select(accelerator => accelerator.Id)));
                    Evidence.Observed($"probe {pod}/{container} device files", report.DeviceFiles.Count == 0 ? "none" : string.Join(", ", report.DeviceFiles));
                    return report;
                }
                catch (Exception error) when (TransientErrors.IsDroppedRead(error))
                {
                    resumed.Add(error);
                }
                catch (Exception error) when (error is FormatException or HttpOperationException)
                {
                    // Not started or not printed yet.
                }
                await Task.Delay(LogReadInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ns.Cancellation.IsCancellationRequested)
        {
            var excerpt = log.Length > 500 ? log[..500] + "…" : log;
            Assert.Fail($"waited {ns.Timeouts.PodRunning.TotalSeconds:0} s for the probe report of {pod}/{container}; log so far: '{excerpt}'");
            throw;
        }
        finally
        {
            resumed.WriteEvidence();
        }
    }

    public static bool IsRunning(V1Pod pod) => pod.Status?.Phase == "Running";

    /// <summary>Running, not being deleted, and Ready (its readiness probe passes): what a Service sends traffic to.</summary>
    public static bool IsReady(V1Pod pod) =>
        IsRunning(pod) && pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static bool HasEnded(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>Phase, node, conditions that are not True and why containers wait or ended.</summary>
    public static string Describe(V1Pod pod)
    {
        var parts = new List<string> { $"{pod.Metadata.Name}: {pod.Status?.Phase ?? "no status"}" };
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) parts.Add($"on {pod.Spec.NodeName}");
        foreach (var condition in pod.Status?.Conditions ?? [])
            if (condition.Status != "True") parts.Add($"{condition.Type}={condition.Status} {condition.Reason} {condition.Message}".TrimEnd());
        foreach (var container in pod.Status?.ContainerStatuses ?? [])
        {
            if (container.State?.Waiting is { } waiting) parts.Add($"{container.Name} waiting: {waiting.Reason} {waiting.Message}".TrimEnd());
            if (container.State?.Terminated is { } ended) parts.Add($"{container.Name} exited {ended.ExitCode}: {ended.Reason}");
        }
        return string.Join(", ", parts);
    }

    public static string Describe(IReadOnlyList<V1Pod> pods) =>
        pods.Count == 0 ? "no such pod" : string.Join("; ", pods.Select(Describe));

    private static List<V1Pod> Named(IReadOnlyList<V1Pod> pods, string[] names) =>
        [.. pods.Where(pod => names.Contains(pod.Metadata.Name))];
}
