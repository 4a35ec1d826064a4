using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// Options of the <c>dcgm-exporter</c> component: the namespace its DaemonSet runs in (the GPU Operator's by
/// default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record DcgmExporterOptions(string Namespace, IExporterFault? Fault)
{
    private static readonly string[] Known = ["namespace", "fault"];

    public static (DcgmExporterOptions Options, IReadOnlyList<string> Problems) Bind(ComponentOptions? component)
    {
        var values = component?.Options ?? [];
        var problems = values.Keys.Where(key => !Known.Contains(key, StringComparer.Ordinal))
            .Select(key => $"unknown option '{key}'; known: {string.Join(", ", Known)}").ToList();
        IExporterFault? fault = null;
        if (values.TryGetValue("fault", out var faultName) && !ExporterFaults.TryGet(faultName, out fault))
            problems.Add($"fault '{faultName}' is not an exporter fault; known: {string.Join(", ", ExporterFaults.Names)}");
        return (new DcgmExporterOptions(values.GetValueOrDefault("namespace") ?? "gpu-operator", fault), problems);
    }
}
