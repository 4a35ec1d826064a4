using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// Options of the <c>dcgm-exporter</c> component: the namespace its DaemonSet runs in (the GPU Operator's by
/// default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record DcgmExporterOptions(string Namespace, IExporterFault? Fault) : IComponentOptions<DcgmExporterOptions>
{
    public static DcgmExporterOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "gpu-operator"),
        options.OptionalFault(ExporterFaults.Catalog));
}
