using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>One per-device series an exporter publishes: metric name, labels and value.</summary>
public sealed record DeviceSeries(string Metric, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>What a broken exporter does to the series a working one would publish.</summary>
public interface IExporterFault
{
    /// <summary>The series as published, from what a working exporter of this flavour would publish for one node.</summary>
    IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series, ExporterFlavour flavour);

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

/// <summary>The memory-usage fields are not among the exporter's configured fields: no memory-usage series at all (DCGM_FI_DEV_FB_*, gpu_used_vram/gpu_free_vram).</summary>
public sealed class NoMemorySeries : IExporterFault
{
    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series, ExporterFlavour flavour) =>
        [.. series.Where(s => !flavour.MemoryMetrics.Contains(s.Metric))];
}

/// <summary>Series that say nothing about which device they measure (dcgm-exporter: no gpu, UUID, pci_bus_id or device label; AMD: no gpu_id or serial_number; neuron-monitor: no neuroncore or neuron_device_index).</summary>
public sealed class NoDeviceLabels : IExporterFault
{
    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series, ExporterFlavour flavour) =>
        [.. series.Select(s => s with { Labels = s.Labels.Where(l => !flavour.DeviceLabels.Contains(l.Key)).ToDictionary() })];
}

/// <summary>Each device's series carry the next device's identity (dcgm-exporter: UUID and PCI bus id), a stale device map after a reset.</summary>
public sealed class WrongDeviceLabels : IExporterFault
{
    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series, ExporterFlavour flavour)
    {
        string Identity(DeviceSeries s) => string.Join("\n", flavour.IdentityLabels.Select(label => s.Labels[label]));
        bool Identified(DeviceSeries s) => flavour.IdentityLabels.All(s.Labels.ContainsKey);
        var identities = series.Where(Identified).Select(Identity).Distinct().ToList();
        return [.. series.Select(s =>
        {
            if (!Identified(s)) return s;
            var next = series.First(other => Identified(other) && Identity(other) == identities[(identities.IndexOf(Identity(s)) + 1) % identities.Count]);
            var labels = new Dictionary<string, string>(s.Labels);
            foreach (var label in flavour.IdentityLabels) labels[label] = next.Labels[label];
            return s with { Labels = labels };
        })];
    }
}

/// <summary>The exporter lost its connection to the host engine (DCGM's, AMD's gpuagent) and repeats its first sample: utilization stays 0.</summary>
public sealed class UtilizationNeverChanges : IExporterFault
{
    public IReadOnlyList<DeviceSeries> Apply(IReadOnlyList<DeviceSeries> series, ExporterFlavour flavour) => series;

    public bool SeesLoad => false;
}
