using System.Text.Json.Nodes;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// AMD Instinct GPUs as the AMD GPU DRA driver (ROCm/k8s-gpu-dra-driver, docs/driver-attributes.md: driver
/// gpu.amd.com, devices <c>gpu-CARD-RENDER</c> of type <c>amdgpu</c> identified by their PCI address only, with VRAM,
/// compute-unit and SIMD capacities) and the AMD device plugin (amd.com/gpu) expose them: a container given GPUs sees
/// the compute interface /dev/kfd and the DRM card and render node of each.
/// </summary>
public sealed class AmdGpuProfile : IAcceleratorProfile
{
    public const string DriverVersion = "6.12.12";

    /// <summary>The PCI device id of an MI300X, which its DRA driver publishes as <c>deviceID</c>.</summary>
    private const string Mi300xDeviceId = "0x74a1";

    public string Vendor => "amd";
    public string DriverName => "gpu.amd.com";
    public string ExtendedResource => "amd.com/gpu";
    public string DefaultModel => "AMD Instinct MI300X OAM";
    public string DefaultMemory => "192Gi";

    /// <summary>card0 is the host's display adapter; the GPUs' render nodes start at 128.</summary>
    public string DeviceName(int index) => $"gpu-{Card(index)}-{Render(index)}";

    public IReadOnlyList<JsonObject> DeviceClasses() => [DeviceClassManifest.Of(DriverName, $"device.driver == '{DriverName}'")];

    public JsonObject SliceDevice(SimulatedDevice device) => new()
    {
        ["name"] = device.Name,
        ["attributes"] = new JsonObject
        {
            ["deviceID"] = new JsonObject { ["string"] = Mi300xDeviceId },
            ["driverVersion"] = new JsonObject { ["version"] = DriverVersion },
            ["numaNode"] = new JsonObject { ["int"] = device.Index < 4 ? 0 : 1 },
            ["partitionProfile"] = new JsonObject { ["string"] = "spx_nps1" },
            ["productName"] = new JsonObject { ["string"] = device.Model },
            ["resource.kubernetes.io/pciBusID"] = new JsonObject { ["string"] = device.PciBusId },
            ["resource.kubernetes.io/pcieRoot"] = new JsonObject { ["string"] = $"pci{device.PciBusId[..4]}:{device.PciBusId[5..7]}" },
            ["type"] = new JsonObject { ["string"] = "amdgpu" },
        },
        ["capacity"] = new JsonObject
        {
            ["computeUnits"] = new JsonObject { ["value"] = "304" },
            ["memory"] = new JsonObject { ["value"] = device.Memory },
            ["simdUnits"] = new JsonObject { ["value"] = "1216" },
        },
    };

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        if (devices.Count == 0) return;
        view.WithFile("/dev/kfd");
        foreach (var device in devices) view.WithFile($"/dev/dri/card{Card(device.Index)}").WithFile($"/dev/dri/renderD{Render(device.Index)}");
    }

    private static int Card(int index) => index + 1;

    private static int Render(int index) => 128 + index;
}
