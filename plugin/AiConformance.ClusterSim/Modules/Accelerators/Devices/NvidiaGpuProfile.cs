using System.Text;
using System.Text.Json.Nodes;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// NVIDIA GPUs as the NVIDIA DRA driver (gpu.nvidia.com, attributes as in its published ResourceSlices) and the
/// NVIDIA device plugin (nvidia.com/gpu) expose them: a container given GPUs sees /dev/nvidiaN for each, the shared
/// control nodes, the driver's /proc entries and an nvidia-smi that lists exactly those GPUs.
/// </summary>
public sealed class NvidiaGpuProfile : IAcceleratorProfile
{
    public const string DriverVersion = "580.95.05";
    public const string CudaVersion = "13.0";

    public string Vendor => "nvidia";
    public string DriverName => "gpu.nvidia.com";
    public string ExtendedResource => "nvidia.com/gpu";
    public string DefaultModel => "NVIDIA H100 80GB HBM3";
    public string DefaultMemory => "80Gi";

    public IReadOnlyList<JsonObject> DeviceClasses() =>
    [
        DeviceClassManifest.Of("gpu.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'"),
        DeviceClassManifest.Of("mig.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'"),
    ];

    public JsonObject SliceDevice(SimulatedDevice device)
    {
        var (architecture, computeCapability) = Generation(device.Model);
        return new JsonObject
        {
            ["name"] = device.Name,
            ["attributes"] = new JsonObject
            {
                ["addressingMode"] = new JsonObject { ["string"] = "None" },
                ["architecture"] = new JsonObject { ["string"] = architecture },
                ["brand"] = new JsonObject { ["string"] = "Nvidia" },
                ["cudaComputeCapability"] = new JsonObject { ["version"] = computeCapability },
                ["cudaDriverVersion"] = new JsonObject { ["version"] = CudaVersion + ".0" },
                ["driverVersion"] = new JsonObject { ["version"] = "580.95.5" },
                ["index"] = new JsonObject { ["int"] = device.Index },
                ["minor"] = new JsonObject { ["int"] = device.Index },
                ["productName"] = new JsonObject { ["string"] = device.Model },
                ["resource.kubernetes.io/pciBusID"] = new JsonObject { ["string"] = device.PciBusId },
                ["resource.kubernetes.io/pcieRoot"] = new JsonObject { ["string"] = $"pci{device.PciBusId[..4]}:{device.PciBusId[5..7]}" },
                ["type"] = new JsonObject { ["string"] = "gpu" },
                ["uuid"] = new JsonObject { ["string"] = device.Uuid },
            },
            ["capacity"] = new JsonObject { ["memory"] = new JsonObject { ["value"] = device.Memory } },
        };
    }

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        if (devices.Count == 0) return;
        foreach (var device in devices) view.WithFile($"/dev/nvidia{device.Index}");
        view.WithFile("/dev/nvidiactl").WithFile("/dev/nvidia-uvm").WithFile("/dev/nvidia-uvm-tools");
        view.WithFile("/proc/driver/nvidia/version",
            $"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {DriverVersion}  Release Build  (dvs-builder@U22-I3-AE18-23-3)\nGCC version:  gcc version 12.3.0\n");
        foreach (var device in devices)
            view.WithFile($"/proc/driver/nvidia/gpus/{device.PciBusId}/information",
                $"Model: \t\t {device.Model}\nIRQ:   \t\t 0\nGPU UUID: \t {device.Uuid}\nBus Location: \t {device.PciBusId}\nDevice Minor: \t {device.Index}\n");
        if (viaDevicePlugin) view.WithEnvironment("NVIDIA_VISIBLE_DEVICES", string.Join(",", devices.Select(d => d.Uuid)));
        view.WithEnvironment("NVIDIA_DRIVER_CAPABILITIES", "compute,utility");
        view.WithProgram("nvidia-smi", arguments => NvidiaSmi(devices, arguments));
    }

    private static CommandOutput NvidiaSmi(IReadOnlyList<SimulatedDevice> devices, string[] arguments)
    {
        var ordered = devices.OrderBy(d => d.PciBusId, StringComparer.Ordinal).ToList();
        if (arguments is ["-L"])
            return new(0, string.Concat(ordered.Select((d, i) => $"GPU {i}: {d.Model} (UUID: {d.Uuid})\n")), "");
        if (arguments is ["-q", "-x"])
            return new(0, QueryXml(ordered), "");
        if (arguments.Length == 0)
            return new(0, Table(ordered), "");
        return new(2, "", $"Invalid combination of input arguments: {string.Join(' ', arguments)}. Please run 'nvidia-smi -h' for help.\n");
    }

    private static string QueryXml(IReadOnlyList<SimulatedDevice> devices)
    {
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" ?>\n<!DOCTYPE nvidia_smi_log SYSTEM \"nvsmi_device_v12.dtd\">\n<nvidia_smi_log>\n");
        xml.Append($"\t<driver_version>{DriverVersion}</driver_version>\n\t<cuda_version>{CudaVersion}</cuda_version>\n");
        xml.Append($"\t<attached_gpus>{devices.Count}</attached_gpus>\n");
        foreach (var device in devices)
        {
            xml.Append($"\t<gpu id=\"{device.PciBusId}\">\n");
            xml.Append($"\t\t<product_name>{device.Model}</product_name>\n");
            xml.Append("\t\t<mig_mode>\n\t\t\t<current_mig>Disabled</current_mig>\n\t\t\t<pending_mig>Disabled</pending_mig>\n\t\t</mig_mode>\n");
            xml.Append("\t\t<mig_devices>\n\t\t\tNone\n\t\t</mig_devices>\n");
            xml.Append($"\t\t<uuid>{device.Uuid}</uuid>\n\t\t<minor_number>{device.Index}</minor_number>\n");
            xml.Append($"\t\t<pci>\n\t\t\t<pci_bus_id>{device.PciBusId}</pci_bus_id>\n\t\t</pci>\n");
            xml.Append($"\t\t<fb_memory_usage>\n\t\t\t<total>{MemoryMiB(device.Memory)} MiB</total>\n\t\t\t<used>0 MiB</used>\n\t\t</fb_memory_usage>\n");
            xml.Append("\t</gpu>\n");
        }
        xml.Append("</nvidia_smi_log>\n");
        return xml.ToString();
    }

    private static string Table(IReadOnlyList<SimulatedDevice> devices)
    {
        var text = new StringBuilder();
        text.Append("+-----------------------------------------------------------------------------------------+\n");
        text.Append($"| NVIDIA-SMI {DriverVersion}              Driver Version: {DriverVersion}      CUDA Version: {CudaVersion}     |\n");
        text.Append("|-----------------------------------------+------------------------+----------------------+\n");
        for (var i = 0; i < devices.Count; i++)
            text.Append($"|   {i}  {devices[i].Model,-34} | {devices[i].PciBusId,-22} | {"Off",20} |\n");
        text.Append("+-----------------------------------------------------------------------------------------+\n");
        return text.ToString();
    }

    private static long MemoryMiB(string quantity) =>
        quantity.EndsWith("Gi", StringComparison.Ordinal) && long.TryParse(quantity[..^2], out var gib) ? gib * 1024 : 81559;

    private static (string Architecture, string ComputeCapability) Generation(string model) => model switch
    {
        _ when model.Contains("B200") || model.Contains("GB200") => ("Blackwell", "10.0.0"),
        _ when model.Contains("H100") || model.Contains("H200") || model.Contains("GH200") => ("Hopper", "9.0.0"),
        _ when model.Contains("L4") || model.Contains("L40") || model.Contains("Ada") => ("Ada Lovelace", "8.9.0"),
        _ when model.Contains("A100") || model.Contains("A10") || model.Contains("A30") => ("Ampere", "8.0.0"),
        _ when model.Contains("T4") => ("Turing", "7.5.0"),
        _ => ("Hopper", "9.0.0"),
    };
}
