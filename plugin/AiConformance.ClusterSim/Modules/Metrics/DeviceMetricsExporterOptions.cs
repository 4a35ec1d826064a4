using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// Options of an accelerator metrics exporter component (<c>dcgm-exporter</c>, <c>amd-device-metrics-exporter</c>):
/// the namespace its DaemonSet runs in (null: where its operator or chart puts it) and, for broken scenarios, the
/// fault it has.
/// </summary>
public sealed record DeviceMetricsExporterOptions(string? Namespace, IExporterFault? Fault) : IComponentOptions<DeviceMetricsExporterOptions>
{
    public static DeviceMetricsExporterOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace"),
        options.OptionalFault(ExporterFaults.Catalog));
}
