using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Accelerators;

/// <summary>
/// NVIDIA GPUs bound to vfio-pci for passthrough into virtual machines, as the NVIDIA DRA driver publishes them
/// (type <c>vfio</c>, DeviceClass vfio.gpu.nvidia.com). A container given one sees the VFIO container node and the
/// device's IOMMU group; no NVIDIA driver is loaded for it, so there is no nvidia-smi.
/// </summary>
public sealed class NvidiaVfioProfile : IAcceleratorProfile
{
    private const int FirstIommuGroup = 40;

    public string Vendor => "nvidia-vfio";
    public string DriverName => "gpu.nvidia.com";
    public string ExtendedResource => "nvidia.com/vfio-gpu";
    public string DefaultModel => "NVIDIA A100-PCIE-40GB";
    public string DefaultMemory => "40Gi";

    public string DeviceName(int index) => $"gpu-vfio-{index}";

    public IReadOnlyList<JsonObject> DeviceClasses() =>
    [
        DeviceClassManifest.Of("vfio.gpu.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'vfio'"),
    ];

    public JsonObject SliceDevice(SimulatedDevice device) => new()
    {
        ["name"] = device.Name,
        ["attributes"] = new JsonObject
        {
            ["brand"] = new JsonObject { ["string"] = "Nvidia" },
            ["iommuGroup"] = new JsonObject { ["int"] = FirstIommuGroup + device.Index },
            ["productName"] = new JsonObject { ["string"] = device.Model },
            ["resource.kubernetes.io/pciBusID"] = new JsonObject { ["string"] = device.PciBusId },
            ["type"] = new JsonObject { ["string"] = "vfio" },
        },
        ["capacity"] = new JsonObject { ["memory"] = new JsonObject { ["value"] = device.Memory } },
    };

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        if (devices.Count == 0) return;
        view.WithFile("/dev/vfio/vfio");
        foreach (var device in devices) view.WithFile($"/dev/vfio/{FirstIommuGroup + device.Index}");
    }
}
