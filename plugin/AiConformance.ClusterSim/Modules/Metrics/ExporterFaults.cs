using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>One per-device series an exporter publishes: metric name, labels and value.</summary>
public sealed record DeviceSeries(string Metric, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>What a broken exporter does to the series a working one would publish.</summary>
public interface IExporterFault
{
    /// <summary>The series as published, from what a working exporter would publish for one node.</summary>
    IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series);

    /// <summary>Whether the exporter still sees utilization change (false: it reports a stale sample forever).</summary>
    bool SeesLoad => true;
}

/// <summary>The exporter's faults, by the name a scenario's <c>fault:</c> option gives.</summary>
public static class ExporterFaults
{
    public static readonly FaultCatalog<IExporterFault> Catalog = new("an exporter fault", new Dictionary<string, Func<IExporterFault>>
    {
        ["no-memory-series"] = () => new NoMemorySeries(),
        ["no-device-labels"] = () => new NoDeviceLabels(),
        ["wrong-device"] = () => new WrongDeviceLabels(),
        ["utilization-never-changes"] = () => new UtilizationNeverChanges(),
    });
}

/// <summary>The memory fields are not in the exporter's counters file: no framebuffer series at all.</summary>
public sealed class NoMemorySeries : IExporterFault
{
    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series) =>
        [.. series.Where(s => !s.Metric.StartsWith("DCGM_FI_DEV_FB_", StringComparison.Ordinal))];
}

/// <summary>Series that say nothing about which device they measure (no gpu, UUID, pci_bus_id or device label).</summary>
public sealed class NoDeviceLabels : IExporterFault
{
    private static readonly string[] DeviceLabels = ["gpu", "UUID", "pci_bus_id", "device"];

    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series) =>
        [.. series.Select(s => s with { Labels = s.Labels.Where(l => !DeviceLabels.Contains(l.Key)).ToDictionary() })];
}

/// <summary>Each device's series carry the next device's UUID and PCI bus id (a stale device map after a reset).</summary>
public sealed class WrongDeviceLabels : IExporterFault
{
    private static (string Uuid, string BusId) Identity(DeviceSeries series) => (series.Labels["UUID"], series.Labels["pci_bus_id"]);

    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series)
    {
        var identities = series.Select(Identity).Distinct().ToList();
        return [.. series.Select(s =>
        {
            var next = identities[(identities.IndexOf(Identity(s)) + 1) % identities.Count];
            return s with { Labels = new Dictionary<string, string>(s.Labels) { ["UUID"] = next.Uuid, ["pci_bus_id"] = next.BusId } };
        })];
    }
}

/// <summary>The exporter lost its connection to the host engine and repeats its first sample: utilization stays 0.</summary>
public sealed class UtilizationNeverChanges : IExporterFault
{
    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series) => series;

    public bool SeesLoad => false;
}
