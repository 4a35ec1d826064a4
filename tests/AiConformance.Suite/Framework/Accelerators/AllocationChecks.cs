using AiConformance.Workloads.Probe;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>How allocations, published devices and what probes saw relate; used by the accelerator fixtures.</summary>
public static class AllocationChecks
{
    /// <summary>The published devices an allocation names; an entry is null when no usable slice publishes it.</summary>
    public static IReadOnlyList<(V1DeviceRequestAllocationResult Result, PublishedDevice? Device)> Resolve(
        IReadOnlyList<V1DeviceRequestAllocationResult> results, AcceleratorInventory inventory) =>
        [.. results.Select(result => (result, inventory.Devices.FirstOrDefault(device =>
            device.Driver == result.Driver && device.Pool == result.Pool && device.Name == result.Device)))];

    /// <summary>Identities of what the probe saw, for messages.</summary>
    public static string Seen(ProbeReport report) =>
        report.Accelerators.Count == 0 ? "no accelerator" : string.Join(", ", report.Accelerators.Select(accelerator => $"{accelerator.Id} ({accelerator.Source})"));

    /// <summary>Whether the probe saw no accelerator at all: no device files, no GPUs from nvidia-smi, no injected devices.</summary>
    public static bool SeesNone(ProbeReport report) =>
        report.Accelerators.Count == 0 && report.DeviceFiles.Count == 0 && (report.NvidiaSmi?.Gpus.Count ?? 0) == 0;

    /// <summary>Exactly these devices, each seen once, and nothing else.</summary>
    public static bool SeesExactly(ProbeReport report, IReadOnlyList<PublishedDevice> devices) =>
        report.Accelerators.Count == devices.Count &&
        devices.All(device => report.Accelerators.Count(device.IsSeenAs) == 1);

    /// <summary>A short description of a probe's view, for the evidence.</summary>
    public static string Describe(ProbeReport report) =>
        $"accelerators: {Seen(report)}; device files: [{string.Join(", ", report.DeviceFiles)}]; " +
        $"nvidia-smi: {(report.NvidiaSmi is null ? "absent" : $"{report.NvidiaSmi.Gpus.Count} GPUs{(report.NvidiaSmi.Error is { } error ? $" ({error})" : "")}")}";
}
