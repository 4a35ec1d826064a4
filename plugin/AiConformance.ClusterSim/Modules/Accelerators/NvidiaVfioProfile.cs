using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// NVIDIA GPUs bound to vfio-pci for passthrough into virtual machines, as the NVIDIA DRA driver publishes them
/// (type <c>vfio</c>, DeviceClass vfio.gpu.nvidia.com): like the real driver it publishes the device's PCI address,
/// not its IOMMU group. A container given one sees the VFIO container node and the device's IOMMU group
/// (<c>/dev/vfio/N</c>), and sysfs lists the device in that group (<c>/sys/kernel/iommu_groups/N/devices</c>); no
/// NVIDIA driver is loaded for it, so there is no nvidia-smi.
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

    /// <summary>The device's IOMMU group on its host: the kernel's, not something the driver publishes.</summary>
    public static int IommuGroup(SimulatedDevice device) => FirstIommuGroup + device.Index;

    public JsonObject SliceDevice(SimulatedDevice device) => new()
    {
        ["name"] = device.Name,
        ["attributes"] = new JsonObject
        {
            ["numa"] = new JsonObject { ["int"] = 0 },
            ["productName"] = new JsonObject { ["string"] = device.Model },
            ["resource.kubernetes.io/pciBusID"] = new JsonObject { ["string"] = device.PciBusId },
            ["resource.kubernetes.io/pcieRoot"] = new JsonObject { ["string"] = $"pci{device.PciBusId[..4]}:{device.PciBusId[5..7]}" },
            ["type"] = new JsonObject { ["string"] = "vfio" },
            ["uuid"] = new JsonObject { ["string"] = "GPU-" + device.Uuid[(device.Uuid.IndexOf('-') + 1)..] },
        },
        ["capacity"] = new JsonObject { ["addressableMemory"] = new JsonObject { ["value"] = device.Memory } },
    };

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        if (devices.Count == 0) return;
        view.WithFile("/dev/vfio/vfio");
        foreach (var device in devices)
        {
            view.WithFile($"/dev/vfio/{IommuGroup(device)}");
            view.WithFile($"/sys/kernel/iommu_groups/{IommuGroup(device)}/devices/{device.PciBusId}");
        }
    }
}
