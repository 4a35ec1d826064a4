using System.Globalization;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>What one device an exporter reads reports: its utilization (percent) and its memory (MiB); the node's instance type, as its label says.</summary>
public sealed record DeviceReading(SimulatedDevice Device, string Node, int Utilization, double TotalMiB, double UsedMiB, ContainerDeviceUsage? User, string? InstanceType = null);

/// <summary>
/// What tells one vendor's accelerator metrics exporter from another: how it is deployed (component, DaemonSet,
/// namespace, image, pod labels, port), which devices it reads, and how it names and labels their series. The
/// DaemonSet, the HTTP endpoint, the device readings and the faults are the same for every flavour.
/// </summary>
public abstract class ExporterFlavour
{
    public static readonly ExporterFlavour Dcgm = new DcgmFlavour();
    public static readonly ExporterFlavour AmdDeviceMetrics = new AmdDeviceMetricsFlavour();
    public static readonly ExporterFlavour NeuronMonitor = new NeuronMonitorFlavour();

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

    /// <summary>Whether its manifests put a Service in front of its pods.</summary>
    public virtual bool HasService => true;

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

    /// <summary>The series it publishes for one device.</summary>
    public abstract IEnumerable<DeviceSeries> Series(DeviceReading reading);

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

/// <summary>An exporter whose series of one device all carry the same labels: the device's, and the workload's.</summary>
public abstract class PerDeviceExporterFlavour : ExporterFlavour
{
    public abstract IReadOnlyDictionary<string, string> Labels(DeviceReading reading);

    public abstract IEnumerable<(string Metric, double Value)> Values(DeviceReading reading);

    public override IEnumerable<DeviceSeries> Series(DeviceReading reading)
    {
        var labels = Labels(reading);
        return Values(reading).Select(value => new DeviceSeries(value.Metric, labels, value.Value));
    }
}

/// <summary>
/// NVIDIA's dcgm-exporter as the GPU Operator deploys it: DaemonSet <c>nvidia-dcgm-exporter</c> serving its default
/// counters on 9400, labelled with gpu index, UUID, PCI bus id, device file, model and host name.
/// </summary>
public sealed class DcgmFlavour : PerDeviceExporterFlavour
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
public sealed class AmdDeviceMetricsFlavour : PerDeviceExporterFlavour
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

/// <summary>
/// AWS's neuron-monitor with its Prometheus front end, as aws-neuron-sdk's k8s-neuron-monitor-daemonset.yml deploys it:
/// DaemonSet <c>neuron-monitor</c> in namespace <c>neuron-monitor</c>, pods labelled <c>app=neuron-monitor</c> and
/// <c>version=v1</c>, no Service, serving on 8000. Its series (neuron-monitor-prometheus.py) carry the EC2 instance's
/// labels; per-core series (<c>neuroncore_utilization_ratio</c>, a 0-1 ratio, and <c>neuroncore_memory_usage_*</c>) and
/// the runtime's <c>neuron_runtime_memory_used_bytes</c> exist only for the cores a running Neuron runtime holds, labelled
/// with its <c>runtime_tag</c> and the core index <c>neuroncore</c>; every device has its ECC counters
/// (<c>hardware_ecc_events_total</c>, label <c>neuron_device_index</c>). It names no pod, namespace or container.
/// </summary>
public sealed class NeuronMonitorFlavour : ExporterFlavour
{
    private static readonly string[] EccEvents = ["mem_ecc_corrected", "mem_ecc_uncorrected", "sram_ecc_corrected", "sram_ecc_uncorrected"];
    private static readonly string[] CoreMemoryUses = ["constants", "model_code", "model_shared_scratchpad", "runtime_memory", "tensors"];

    public override string ComponentName => "neuron-monitor";
    public override string AppName => "neuron-monitor";
    public override string DefaultNamespace => "neuron-monitor";
    public override string Image => "public.ecr.aws/neuron/neuron-monitor:1.0.0";
    public override string ImagePattern => "*/neuron-monitor:*";
    public override IReadOnlyList<string> Args => ["--port", "8000"];
    public override IReadOnlyDictionary<string, string> PodLabels { get; } = new Dictionary<string, string> { ["app"] = "neuron-monitor", ["version"] = "v1" };
    public override int Port => 8000;
    public override bool HasService => false;
    public override string ExtendedResource => "aws.amazon.com/neuron";
    public override string StartLine => $"Running HTTP prometheus server at port {Port}";
    public override IReadOnlyList<string> MemoryMetrics => ["neuron_runtime_memory_used_bytes", .. CoreMemoryUses.Select(CoreMemoryMetric)];
    public override IReadOnlyList<string> DeviceLabels => ["neuroncore", "neuron_device_index"];
    public override IReadOnlyList<string> IdentityLabels => ["neuroncore"];

    public override IReadOnlyDictionary<string, (string Type, string Help)> Families { get; } = new Dictionary<string, (string, string)>
    {
        ["neuroncore_utilization_ratio"] = ("gauge", "NeuronCore utilization ratio"),
        ["neuron_runtime_memory_used_bytes"] = ("gauge", "Runtime memory used bytes"),
        ["neuroncore_memory_usage_constants"] = ("gauge", "NeuronCore memory utilization for constants"),
        ["neuroncore_memory_usage_model_code"] = ("gauge", "NeuronCore memory utilization for model_code"),
        ["neuroncore_memory_usage_model_shared_scratchpad"] = ("gauge", "NeuronCore memory utilization for model_shared_scratchpad"),
        ["neuroncore_memory_usage_runtime_memory"] = ("gauge", "NeuronCore memory utilization for runtime_memory"),
        ["neuroncore_memory_usage_tensors"] = ("gauge", "NeuronCore memory utilization for tensors"),
        ["hardware_ecc_events_total"] = ("counter", "Hardware ecc events total"),
    };

    public override IEnumerable<DeviceSeries> Series(DeviceReading reading)
    {
        var instance = InstanceLabels(reading);
        foreach (var eccEvent in EccEvents)
            yield return new("hardware_ecc_events_total", With(instance, ("event_type", eccEvent), ("neuron_device_index", Text(reading.Device.Index))), 0);
        if (reading.User is not { } user) yield break;
        // The runtime of the container the device was given to: its tag is the process id neuron-monitor saw.
        var runtime = With(instance, ("runtime_tag", Text(Stable($"{user.Namespace}/{user.Pod}/{user.Container}", 1000, 60000))));
        var usedBytes = reading.UsedMiB * 1024 * 1024;
        yield return new("neuron_runtime_memory_used_bytes", With(runtime, ("memory_location", "host")), 9043968);
        yield return new("neuron_runtime_memory_used_bytes", With(runtime, ("memory_location", "neuron_device")), usedBytes);
        foreach (var core in AwsNeuronProfile.Cores(reading.Device))
        {
            yield return new("neuroncore_utilization_ratio", With(runtime, ("neuroncore", Text(core))), reading.Utilization / 100.0);
            foreach (var use in CoreMemoryUses)
                yield return new(CoreMemoryMetric(use), With(runtime, ("memory_location", "None"), ("neuroncore", Text(core))),
                    use == "tensors" ? usedBytes / AwsNeuronProfile.CoresPerDevice : 0);
        }
    }

    private static string CoreMemoryMetric(string use) => $"neuroncore_memory_usage_{use}";

    /// <summary>The EC2 instance's labels (from its metadata): sorted, as the exporter writes them.</summary>
    private static SortedDictionary<string, string> InstanceLabels(DeviceReading reading) => new(StringComparer.Ordinal)
    {
        ["availability_zone"] = "us-east-1c",
        ["instance_id"] = $"i-{Stable(reading.Node, 0, int.MaxValue):x8}{Stable(reading.Node + "/id", 0, 0x1fffffff):x9}",
        ["instance_name"] = "",
        ["instance_type"] = reading.InstanceType ?? "",
        ["region"] = "us-east-1",
        ["subnet_id"] = $"subnet-{Stable(reading.Node + "/subnet", 0, int.MaxValue):x8}",
    };

    private static SortedDictionary<string, string> With(IReadOnlyDictionary<string, string> labels, params (string Key, string Value)[] more)
    {
        var all = new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal);
        foreach (var (key, value) in more) all[key] = value;
        return all;
    }

    private static int Stable(string text, int from, int to) =>
        from + (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))) % (uint)(to - from));
}
