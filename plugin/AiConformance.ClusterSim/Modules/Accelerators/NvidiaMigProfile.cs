using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// NVIDIA GPUs in MIG mode, as the NVIDIA DRA driver publishes them: every physical GPU is split into
/// <see cref="SlicesPerGpu"/> slices of profile <see cref="SliceProfile"/>, each a device of type <c>mig</c> with its
/// own MIG UUID and its parent's UUID (DeviceClass mig.nvidia.com). The scenario's accelerator count is the number of
/// slices. A container given slices sees its parents' /dev/nvidiaN, their MIG capability files and an nvidia-smi
/// that lists the parents with exactly those slices.
/// </summary>
public sealed class NvidiaMigProfile : IAcceleratorProfile
{
    public const int SlicesPerGpu = 7;
    public const string SliceProfile = "1g.10gb";

    public string Vendor => "nvidia-mig";
    public string DriverName => "gpu.nvidia.com";
    public string ExtendedResource => "nvidia.com/mig-" + SliceProfile;
    public string DefaultModel => "NVIDIA A100-SXM4-80GB";
    public string DefaultMemory => "9856Mi";

    public string DeviceName(int index) => $"gpu-{index / SlicesPerGpu}-mig-{index % SlicesPerGpu}";

    public IReadOnlyList<JsonObject> DeviceClasses() =>
    [
        DeviceClassManifest.Of("mig.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'"),
    ];

    public static string MigUuid(SimulatedDevice slice) => "MIG-" + slice.Uuid[(slice.Uuid.IndexOf('-') + 1)..];

    public static string ParentUuid(SimulatedDevice slice) => "GPU-" + Guidish($"nvidia-mig-parent/{slice.Node}/{slice.Index / SlicesPerGpu}");

    public JsonObject SliceDevice(SimulatedDevice device) => new()
    {
        ["name"] = device.Name,
        ["attributes"] = new JsonObject
        {
            ["architecture"] = new JsonObject { ["string"] = "Ampere" },
            ["brand"] = new JsonObject { ["string"] = "Nvidia" },
            ["cudaComputeCapability"] = new JsonObject { ["version"] = "8.0.0" },
            ["cudaDriverVersion"] = new JsonObject { ["version"] = NvidiaGpuProfile.CudaVersion + ".0" },
            ["driverVersion"] = new JsonObject { ["version"] = "580.95.5" },
            ["index"] = new JsonObject { ["int"] = device.Index % SlicesPerGpu },
            ["parentIndex"] = new JsonObject { ["int"] = device.Index / SlicesPerGpu },
            ["parentMinor"] = new JsonObject { ["int"] = device.Index / SlicesPerGpu },
            ["parentUUID"] = new JsonObject { ["string"] = ParentUuid(device) },
            ["productName"] = new JsonObject { ["string"] = device.Model },
            ["profile"] = new JsonObject { ["string"] = SliceProfile },
            ["type"] = new JsonObject { ["string"] = "mig" },
            ["uuid"] = new JsonObject { ["string"] = MigUuid(device) },
        },
        ["capacity"] = new JsonObject
        {
            ["memory"] = new JsonObject { ["value"] = device.Memory },
            ["multiprocessors"] = new JsonObject { ["value"] = "14" },
        },
    };

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        if (devices.Count == 0) return;
        var parents = devices.GroupBy(slice => slice.Index / SlicesPerGpu).OrderBy(group => group.Key).ToList();
        foreach (var parent in parents) view.WithFile($"/dev/nvidia{parent.Key}");
        foreach (var slice in devices) view.WithFile($"/dev/nvidia-caps/nvidia-cap{30 + slice.Index}");
        view.WithFile("/dev/nvidiactl").WithFile("/dev/nvidia-uvm").WithFile("/dev/nvidia-uvm-tools");
        if (viaDevicePlugin) view.WithEnvironment("NVIDIA_VISIBLE_DEVICES", string.Join(",", devices.Select(MigUuid)));
        view.WithEnvironment("NVIDIA_DRIVER_CAPABILITIES", "compute,utility");
        view.WithProgram("nvidia-smi", arguments => NvidiaSmi(parents, arguments));
    }

    private static CommandOutput NvidiaSmi(List<IGrouping<int, SimulatedDevice>> parents, string[] arguments)
    {
        if (arguments is ["-L"])
        {
            var text = new StringBuilder();
            for (var gpu = 0; gpu < parents.Count; gpu++)
            {
                var first = parents[gpu].First();
                text.Append($"GPU {gpu}: {first.Model} (UUID: {ParentUuid(first)})\n");
                foreach (var slice in parents[gpu])
                    text.Append($"  MIG {SliceProfile}     Device  {slice.Index % SlicesPerGpu}: (UUID: {MigUuid(slice)})\n");
            }
            return new(0, text.ToString(), "");
        }
        if (arguments is ["-q", "-x"])
        {
            var xml = new StringBuilder();
            xml.Append("<?xml version=\"1.0\" ?>\n<!DOCTYPE nvidia_smi_log SYSTEM \"nvsmi_device_v12.dtd\">\n<nvidia_smi_log>\n");
            xml.Append($"\t<driver_version>{NvidiaGpuProfile.DriverVersion}</driver_version>\n\t<cuda_version>{NvidiaGpuProfile.CudaVersion}</cuda_version>\n");
            xml.Append($"\t<attached_gpus>{parents.Count}</attached_gpus>\n");
            foreach (var parent in parents)
            {
                var first = parent.First();
                xml.Append($"\t<gpu id=\"00000000:{0x10 + parent.Key:X2}:00.0\">\n\t\t<product_name>{first.Model}</product_name>\n");
                xml.Append("\t\t<mig_mode>\n\t\t\t<current_mig>Enabled</current_mig>\n\t\t\t<pending_mig>Enabled</pending_mig>\n\t\t</mig_mode>\n\t\t<mig_devices>\n");
                foreach (var slice in parent)
                    xml.Append($"\t\t\t<mig_device>\n\t\t\t\t<index>{slice.Index % SlicesPerGpu}</index>\n\t\t\t\t<gpu_instance_id>{7 + slice.Index % SlicesPerGpu}</gpu_instance_id>\n" +
                               "\t\t\t\t<compute_instance_id>0</compute_instance_id>\n\t\t\t\t<fb_memory_usage>\n\t\t\t\t\t<total>9856 MiB</total>\n\t\t\t\t</fb_memory_usage>\n\t\t\t</mig_device>\n");
                xml.Append($"\t\t</mig_devices>\n\t\t<uuid>{ParentUuid(first)}</uuid>\n\t\t<minor_number>{parent.Key}</minor_number>\n\t</gpu>\n");
            }
            xml.Append("</nvidia_smi_log>\n");
            return new(0, xml.ToString(), "");
        }
        return new(2, "", $"Invalid combination of input arguments: {string.Join(' ', arguments)}. Please run 'nvidia-smi -h' for help.\n");
    }

    private static string Guidish(string seed)
    {
        var hex = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(seed))).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
