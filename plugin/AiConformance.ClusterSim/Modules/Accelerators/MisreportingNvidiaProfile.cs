using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// NVIDIA GPUs whose DRA driver publishes a stale driver version (an upgrade of the node driver that the published
/// attributes never followed): the node runs <see cref="NvidiaGpuProfile.DriverVersion"/>, the ResourceSlice says
/// <see cref="PublishedDriverVersion"/>. For broken scenarios of driver and runtime management.
/// </summary>
public sealed class MisreportingNvidiaProfile : IAcceleratorProfile
{
    public const string PublishedDriverVersion = "570.124.6";

    private readonly NvidiaGpuProfile actual = new();

    public string Vendor => "nvidia-stale-attributes";
    public string DriverName => actual.DriverName;
    public string ExtendedResource => actual.ExtendedResource;
    public string DefaultModel => actual.DefaultModel;
    public string DefaultMemory => actual.DefaultMemory;

    public IReadOnlyList<JsonObject> DeviceClasses() => actual.DeviceClasses();

    public JsonObject SliceDevice(SimulatedDevice device)
    {
        var entry = actual.SliceDevice(device with { Profile = actual });
        entry["attributes"]!["driverVersion"] = new JsonObject { ["version"] = PublishedDriverVersion };
        return entry;
    }

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin) =>
        actual.Expose(view, devices, viaDevicePlugin);
}
