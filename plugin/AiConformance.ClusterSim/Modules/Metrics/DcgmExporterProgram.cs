using System.Globalization;
using System.Text;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Network;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// NVIDIA's dcgm-exporter on one node: answers <c>/metrics</c> on port 9400 with the default counters for each whole
/// GPU of its node (utilization, framebuffer, temperature, power, NVLink), labelled as dcgm-exporter labels them
/// (gpu index, UUID, PCI bus id, device file, model, host name, and pod, namespace and container of the workload
/// using the GPU, from the kubelet's pod-resources API). Utilization follows the load of the containers using the device.
/// </summary>
public sealed class DcgmExporterProgram(IExporterFault? fault) : IContainerProgram
{
    public const int Port = 9400;

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        context.Write($"time=\"{DateTime.UtcNow:O}\" level=info msg=\"Starting webserver\" address=\":{Port}\"\n");
        await BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, Port, request => request.Path == "/metrics"
            ? new BareHttp.Response(200, "text/plain; version=0.0.4; charset=utf-8", Render(context.Cluster, context.Sandbox.Node))
            : BareHttp.Response.NotFound, cancellationToken);
        return 0;
    }

    /// <summary>The GPUs dcgm-exporter sees on a node: whole NVIDIA GPUs (not MIG slices or passthrough devices), once each.</summary>
    public static IReadOnlyList<SimulatedDevice> GpusOn(SimulatedCluster cluster, string node) =>
        [.. cluster.Devices.OnNode(node).Where(d => d.Profile.ExtendedResource == "nvidia.com/gpu").DistinctBy(d => d.Uuid)];

    private string Render(SimulatedCluster cluster, string node)
    {
        var series = new List<DeviceSeries>();
        foreach (var device in GpusOn(cluster, node))
        {
            var utilization = fault?.SeesLoad == false ? 0 : cluster.DeviceUsage.Utilization(device);
            var totalMib = MiB(device.Memory);
            var usedMib = utilization == 0 ? 0 : Math.Round(totalMib * utilization / 200.0);
            var labels = Labels(cluster, device, node);
            series.Add(new("DCGM_FI_DEV_GPU_UTIL", labels, utilization));
            series.Add(new("DCGM_FI_DEV_FB_USED", labels, usedMib));
            series.Add(new("DCGM_FI_DEV_FB_FREE", labels, totalMib - usedMib));
            series.Add(new("DCGM_FI_DEV_GPU_TEMP", labels, 31 + utilization / 3));
            series.Add(new("DCGM_FI_DEV_POWER_USAGE", labels, 68.5 + utilization * 6));
            series.Add(new("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", labels, 0));
        }
        return Exposition(fault is null ? series : fault.Apply(series));
    }

    private static Dictionary<string, string> Labels(SimulatedCluster cluster, SimulatedDevice device, string node)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gpu"] = device.Index.ToString(CultureInfo.InvariantCulture),
            ["UUID"] = device.Uuid,
            ["pci_bus_id"] = DcgmBusId(device.PciBusId),
            ["device"] = $"nvidia{device.Index}",
            ["modelName"] = device.Model,
            ["Hostname"] = node,
        };
        // As with the kubelet's pod-resources API: the first container the device was given to.
        if (cluster.DeviceUsage.Using(device).FirstOrDefault() is { } user)
        {
            labels["container"] = user.Container;
            labels["namespace"] = user.Namespace;
            labels["pod"] = user.Pod;
        }
        return labels;
    }

    private static readonly Dictionary<string, (string Type, string Help)> Families = new(StringComparer.Ordinal)
    {
        ["DCGM_FI_DEV_GPU_UTIL"] = ("gauge", "GPU utilization (in %)."),
        ["DCGM_FI_DEV_FB_USED"] = ("gauge", "Framebuffer memory used (in MiB)."),
        ["DCGM_FI_DEV_FB_FREE"] = ("gauge", "Framebuffer memory free (in MiB)."),
        ["DCGM_FI_DEV_GPU_TEMP"] = ("gauge", "GPU temperature (in C)."),
        ["DCGM_FI_DEV_POWER_USAGE"] = ("gauge", "Power draw (in W)."),
        ["DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL"] = ("counter", "Total number of NVLink bandwidth counters for all lanes."),
    };

    private static string Exposition(IReadOnlyList<DeviceSeries> series)
    {
        var text = new StringBuilder();
        foreach (var family in series.GroupBy(s => s.Metric))
        {
            var (type, help) = Families[family.Key];
            text.Append(CultureInfo.InvariantCulture, $"# HELP {family.Key} {help}\n# TYPE {family.Key} {type}\n");
            foreach (var sample in family)
            {
                var labels = string.Join(",", sample.Labels.Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\""));
                text.Append(CultureInfo.InvariantCulture, $"{family.Key}{{{labels}}} {sample.Value}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>DCGM writes the PCI domain with eight digits (<c>00000000:18:00.0</c>).</summary>
    private static string DcgmBusId(string busId) =>
        busId.Split(':') is [var domain, var bus, var rest] ? $"{domain.PadLeft(8, '0').ToUpperInvariant()}:{bus.ToUpperInvariant()}:{rest.ToUpperInvariant()}" : busId;

    private static double MiB(string quantity) =>
        quantity.EndsWith("Gi", StringComparison.Ordinal) && double.TryParse(quantity[..^2], CultureInfo.InvariantCulture, out var gib) ? gib * 1024 : 81559;
}
