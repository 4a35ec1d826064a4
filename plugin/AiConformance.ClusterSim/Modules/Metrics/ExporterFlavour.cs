using System.Globalization;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>What one device an exporter reads reports: its utilization (percent) and its memory (MiB).</summary>
public sealed record DeviceReading(SimulatedDevice Device, string Node, int Utilization, double TotalMiB, double UsedMiB, ContainerDeviceUsage? User);

/// <summary>
/// What tells one vendor's accelerator metrics exporter from another: how it is deployed (component, DaemonSet,
/// namespace, image, pod labels, port), which devices it reads, and how it names and labels their series. The
/// DaemonSet, the HTTP endpoint, the device readings and the faults are the same for every flavour.
/// </summary>
public abstract class ExporterFlavour
{
    public static readonly ExporterFlavour Dcgm = new DcgmFlavour();
    public static readonly ExporterFlavour AmdDeviceMetrics = new AmdDeviceMetricsFlavour();

    public abstract string ComponentName { get; }

    /// <summary>The name of its DaemonSet and Service.</summary>
    public abstract string AppName { get; }

    public abstract string DefaultNamespace { get; }

    public abstract string Image { get; }

    /// <summary>The glob its program is installed for.</summary>
    public abstract string ImagePattern { get; }

    public abstract IReadOnlyList<string> Args { get; }

    /// <summary>The labels of its pods (the Service selects them all).</summary>
    public abstract IReadOnlyDictionary<string, string> PodLabels { get; }

    public abstract int Port { get; }

    /// <summary>The device plugin resource of the devices it reads (whatever publishes them: it reads the hardware).</summary>
    public abstract string ExtendedResource { get; }

    /// <summary>The first line it logs once it serves.</summary>
    public abstract string StartLine { get; }

    /// <summary>The series of its device-memory usage (what the <c>no-memory-series</c> fault drops).</summary>
    public abstract IReadOnlyList<string> MemoryMetrics { get; }

    /// <summary>The labels that say which device a series measures (what the <c>no-device-labels</c> fault drops).</summary>
    public abstract IReadOnlyList<string> DeviceLabels { get; }

    /// <summary>The labels a stale device map gets wrong (what the <c>wrong-device</c> fault shifts to the next device).</summary>
    public abstract IReadOnlyList<string> IdentityLabels { get; }

    /// <summary>Each metric's type and help text, in the order it publishes them.</summary>
    public abstract IReadOnlyDictionary<string, (string Type, string Help)> Families { get; }

    public abstract IReadOnlyDictionary<string, string> Labels(DeviceReading reading);

    public abstract IEnumerable<(string Metric, double Value)> Values(DeviceReading reading);

    /// <summary>The workload labels, as exporters read them from the kubelet's pod-resources API: the first container the device was given to.</summary>
    protected static void AddWorkload(Dictionary<string, string> labels, DeviceReading reading)
    {
        if (reading.User is not { } user) return;
        labels["container"] = user.Container;
        labels["namespace"] = user.Namespace;
        labels["pod"] = user.Pod;
    }

    protected static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// NVIDIA's dcgm-exporter as the GPU Operator deploys it: DaemonSet <c>nvidia-dcgm-exporter</c> serving its default
/// counters on 9400, labelled with gpu index, UUID, PCI bus id, device file, model and host name.
/// </summary>
public sealed class DcgmFlavour : ExporterFlavour
{
    public override string ComponentName => "dcgm-exporter";
    public override string AppName => "nvidia-dcgm-exporter";
    public override string DefaultNamespace => "gpu-operator";
    public override string Image => "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless";
    public override string ImagePattern => "*/dcgm-exporter:*";
    public override IReadOnlyList<string> Args => ["-f", "/etc/dcgm-exporter/default-counters.csv"];
    public override IReadOnlyDictionary<string, string> PodLabels { get; } = new Dictionary<string, string> { ["app"] = "nvidia-dcgm-exporter", ["app.kubernetes.io/name"] = "dcgm-exporter" };
    public override int Port => 9400;
    public override string ExtendedResource => "nvidia.com/gpu";
    public override string StartLine => $"time=\"{DateTime.UtcNow:O}\" level=info msg=\"Starting webserver\" address=\":{Port}\"";
    public override IReadOnlyList<string> MemoryMetrics => ["DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"];
    public override IReadOnlyList<string> DeviceLabels => ["gpu", "UUID", "pci_bus_id", "device"];
    public override IReadOnlyList<string> IdentityLabels => ["UUID", "pci_bus_id"];

    public override IReadOnlyDictionary<string, (string Type, string Help)> Families { get; } = new Dictionary<string, (string, string)>
    {
        ["DCGM_FI_DEV_GPU_UTIL"] = ("gauge", "GPU utilization (in %)."),
        ["DCGM_FI_DEV_FB_USED"] = ("gauge", "Framebuffer memory used (in MiB)."),
        ["DCGM_FI_DEV_FB_FREE"] = ("gauge", "Framebuffer memory free (in MiB)."),
        ["DCGM_FI_DEV_GPU_TEMP"] = ("gauge", "GPU temperature (in C)."),
        ["DCGM_FI_DEV_POWER_USAGE"] = ("gauge", "Power draw (in W)."),
        ["DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL"] = ("counter", "Total number of NVLink bandwidth counters for all lanes."),
    };

    public override IReadOnlyDictionary<string, string> Labels(DeviceReading reading)
    {
        var device = reading.Device;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gpu"] = Text(device.Index),
            ["UUID"] = device.Uuid,
            ["pci_bus_id"] = DcgmBusId(device.PciBusId),
            ["device"] = $"nvidia{device.Index}",
            ["modelName"] = device.Model,
            ["Hostname"] = reading.Node,
        };
        AddWorkload(labels, reading);
        return labels;
    }

    public override IEnumerable<(string Metric, double Value)> Values(DeviceReading reading) =>
    [
        ("DCGM_FI_DEV_GPU_UTIL", reading.Utilization),
        ("DCGM_FI_DEV_FB_USED", reading.UsedMiB),
        ("DCGM_FI_DEV_FB_FREE", reading.TotalMiB - reading.UsedMiB),
        ("DCGM_FI_DEV_GPU_TEMP", 31 + reading.Utilization / 3),
        ("DCGM_FI_DEV_POWER_USAGE", 68.5 + reading.Utilization * 6),
        ("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", 0),
    ];

    /// <summary>DCGM writes the PCI domain with eight digits (<c>00000000:18:00.0</c>).</summary>
    private static string DcgmBusId(string busId) =>
        busId.Split(':') is [var domain, var bus, var rest] ? $"{domain.PadLeft(8, '0').ToUpperInvariant()}:{bus.ToUpperInvariant()}:{rest.ToUpperInvariant()}" : busId;
}

/// <summary>
/// AMD's device-metrics-exporter as its Helm chart deploys it (ROCm/device-metrics-exporter helm-charts/values.yaml,
/// docs/installation/kubernetes-helm.md): release <c>exporter</c> in <c>kube-amd-gpu</c>, pods labelled
/// <c>app.kubernetes.io/name=metrics-exporter</c>, serving on 5000 the fields of docs/configuration/metricslist.md
/// with its always-set labels (gpu_id, serial_number, card_model, hostname, partition id and type) and card_series,
/// and pod, namespace and container of the workload using the GPU.
/// </summary>
public sealed class AmdDeviceMetricsFlavour : ExporterFlavour
{
    public override string ComponentName => "amd-device-metrics-exporter";
    public override string AppName => "exporter-amdgpu-metrics-exporter";
    public override string DefaultNamespace => "kube-amd-gpu";
    public override string Image => "docker.io/rocm/device-metrics-exporter:v1.5.2";
    public override string ImagePattern => "*/device-metrics-exporter:*";
    public override IReadOnlyList<string> Args => [];
    public override IReadOnlyDictionary<string, string> PodLabels { get; } = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "metrics-exporter" };
    public override int Port => 5000;
    public override string ExtendedResource => "amd.com/gpu";
    public override string StartLine => $"{DateTime.UtcNow:yyyy/MM/dd HH:mm:ss} metrics server serving on :{Port}";
    public override IReadOnlyList<string> MemoryMetrics => ["gpu_used_vram", "gpu_free_vram"];
    public override IReadOnlyList<string> DeviceLabels => ["gpu_id", "serial_number"];
    public override IReadOnlyList<string> IdentityLabels => ["gpu_id", "serial_number"];

    public override IReadOnlyDictionary<string, (string Type, string Help)> Families { get; } = new Dictionary<string, (string, string)>
    {
        ["gpu_gfx_activity"] = ("gauge", "Graphics engine usage percentage (0 - 100)"),
        ["gpu_umc_activity"] = ("gauge", "Memory engine usage percentage (0 - 100)"),
        ["gpu_total_vram"] = ("gauge", "Total VRAM available in MB"),
        ["gpu_used_vram"] = ("gauge", "Total VRAM memory used in MB"),
        ["gpu_free_vram"] = ("gauge", "Total VRAM memory free in MB"),
        ["gpu_junction_temperature"] = ("gauge", "Hotspot (aka junction) temperature value in Celsius"),
        ["gpu_memory_temperature"] = ("gauge", "Memory temperature value in Celsius"),
        ["gpu_package_power"] = ("gauge", "Current socket power in Watts"),
    };

    public override IReadOnlyDictionary<string, string> Labels(DeviceReading reading)
    {
        var device = reading.Device;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["card_model"] = "0x74a1",
            ["card_series"] = device.Model,
            ["gpu_compute_partition_type"] = "spx",
            ["gpu_id"] = Text(device.Index),
            ["gpu_partition_id"] = "0",
            ["hostname"] = reading.Node,
            ["serial_number"] = SerialNumber(device),
        };
        AddWorkload(labels, reading);
        return labels;
    }

    public override IEnumerable<(string Metric, double Value)> Values(DeviceReading reading) =>
    [
        ("gpu_gfx_activity", reading.Utilization),
        ("gpu_umc_activity", reading.Utilization / 2),
        ("gpu_total_vram", reading.TotalMiB),
        ("gpu_used_vram", reading.UsedMiB),
        ("gpu_free_vram", reading.TotalMiB - reading.UsedMiB),
        ("gpu_junction_temperature", 38 + reading.Utilization / 3),
        ("gpu_memory_temperature", 34 + reading.Utilization / 4),
        ("gpu_package_power", 140 + reading.Utilization * 5.5),
    ];

    /// <summary>A board serial number (twelve digits in the exporter's own sample), stable per device.</summary>
    private static string SerialNumber(SimulatedDevice device) =>
        string.Concat(device.Uuid.Where(char.IsAsciiHexDigit).Take(12).Select(c => (char)('0' + Convert.ToInt32(c.ToString(), 16) % 10)));
}
