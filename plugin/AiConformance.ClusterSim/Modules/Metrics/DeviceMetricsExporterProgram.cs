using System.Globalization;
using System.Text;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Network;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// An accelerator metrics exporter on one node: answers <c>/metrics</c> on its flavour's port with the flavour's series
/// for each whole device of its node, named and labelled as that exporter does. Utilization is the load of the
/// containers the kubelet handed the device to; memory use follows it; the workload labels name the first of them.
/// </summary>
public sealed class DeviceMetricsExporterProgram(ExporterFlavour flavour, IExporterFault? fault) : IContainerProgram
{
    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        context.Write(flavour.StartLine + "\n");
        await BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, flavour.Port, request => request.Path == "/metrics"
            ? new BareHttp.Response(200, "text/plain; version=0.0.4; charset=utf-8", Render(context.Cluster, context.Sandbox.Node))
            : BareHttp.Response.NotFound, cancellationToken);
        return 0;
    }

    /// <summary>The devices the exporter sees on a node: whole devices of its vendor (not MIG slices or passthrough devices), once each.</summary>
    public static IReadOnlyList<SimulatedDevice> DevicesOn(SimulatedCluster cluster, ExporterFlavour flavour, string node) =>
        [.. cluster.Devices.OnNode(node).Where(d => d.Profile.ExtendedResource == flavour.ExtendedResource).DistinctBy(d => d.Uuid)];

    private string Render(SimulatedCluster cluster, string node)
    {
        var series = new List<DeviceSeries>();
        var instanceType = (string?)cluster.Store.Get(Kinds.Node, null, node)?["metadata"]?["labels"]?["node.kubernetes.io/instance-type"];
        foreach (var device in DevicesOn(cluster, flavour, node))
        {
            var utilization = fault?.SeesLoad == false ? 0 : cluster.DeviceUsage.Utilization(device);
            var totalMib = MiB(device.Memory);
            var usedMib = utilization == 0 ? 0 : Math.Round(totalMib * utilization / 200.0);
            var reading = new DeviceReading(device, node, utilization, totalMib, usedMib, cluster.DeviceUsage.Using(device).FirstOrDefault(), instanceType);
            series.AddRange(flavour.Series(reading));
        }
        return Exposition(fault is null ? series : fault.Apply(series, flavour));
    }

    private string Exposition(IReadOnlyList<DeviceSeries> series)
    {
        var text = new StringBuilder();
        foreach (var family in series.GroupBy(s => s.Metric))
        {
            var (type, help) = flavour.Families[family.Key];
            text.Append(CultureInfo.InvariantCulture, $"# HELP {family.Key} {help}\n# TYPE {family.Key} {type}\n");
            foreach (var sample in family)
            {
                var labels = string.Join(",", sample.Labels.Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\""));
                text.Append(CultureInfo.InvariantCulture, $"{family.Key}{{{labels}}} {sample.Value}\n");
            }
        }
        return text.ToString();
    }

    private static double MiB(string quantity) =>
        quantity.EndsWith("Gi", StringComparison.Ordinal) && double.TryParse(quantity[..^2], CultureInfo.InvariantCulture, out var gib) ? gib * 1024 : 81559;
}
