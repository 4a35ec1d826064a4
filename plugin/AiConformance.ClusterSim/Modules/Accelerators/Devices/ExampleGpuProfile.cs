using System.Text.Json.Nodes;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// The DRA example driver (kubernetes-sigs/dra-example-driver): devices <c>gpu-N</c> with driverVersion, index,
/// model and uuid attributes; a container sees no device files, only <c>GPU_DEVICE_N=gpu-N</c> variables.
/// </summary>
public sealed class ExampleGpuProfile : IAcceleratorProfile
{
    public string Vendor => "example";
    public string DriverName => "gpu.example.com";
    public string ExtendedResource => "example.com/gpu";
    public string DefaultModel => "LATEST-GPU-MODEL";
    public string DefaultMemory => "80Gi";

    public IReadOnlyList<JsonObject> DeviceClasses() =>
    [
        DeviceClassManifest.Of(DriverName, $"device.driver == '{DriverName}'"),
    ];

    public JsonObject SliceDevice(SimulatedDevice device) => new()
    {
        ["name"] = device.Name,
        ["attributes"] = new JsonObject
        {
            ["driverVersion"] = new JsonObject { ["version"] = "1.0.0" },
            ["index"] = new JsonObject { ["int"] = device.Index },
            ["model"] = new JsonObject { ["string"] = device.Model },
            ["uuid"] = new JsonObject { ["string"] = device.Uuid },
        },
        ["capacity"] = new JsonObject { ["memory"] = new JsonObject { ["value"] = device.Memory } },
    };

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        foreach (var device in devices) view.WithEnvironment($"GPU_DEVICE_{device.Index}", device.Name);
    }
}
