using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// NVIDIA GPUs shared by time-slicing through the NVIDIA device plugin: each physical GPU is advertised as
/// <see cref="Replicas"/> replicas of <c>nvidia.com/gpu</c> (the scenario's accelerator count is the number of
/// replicas, exposed via the device plugin; label the nodes <c>nvidia.com/gpu.replicas</c> and
/// <c>nvidia.com/gpu.count</c> as GPU Feature Discovery does). A container given a replica sees the physical GPU
/// behind it, so containers given replicas of one GPU see the same UUID.
/// </summary>
public sealed class NvidiaTimeSlicedProfile : IAcceleratorProfile
{
    public const int Replicas = 4;

    private readonly NvidiaGpuProfile whole = new();

    public string Vendor => "nvidia-timesliced";
    public string DriverName => whole.DriverName;
    public string ExtendedResource => whole.ExtendedResource;
    public string DefaultModel => "NVIDIA L4";
    public string DefaultMemory => "24Gi";

    public string DeviceName(int index) => $"gpu-{index / Replicas}-replica-{index % Replicas}";

    /// <summary>Time-sliced replicas exist only through the device plugin; they publish no DeviceClass.</summary>
    public IReadOnlyList<JsonObject> DeviceClasses() => [];

    public JsonObject SliceDevice(SimulatedDevice device) => whole.SliceDevice(Physical(device));

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin) =>
        whole.Expose(view, [.. devices.Select(Physical).DistinctBy(device => device.Uuid)], viaDevicePlugin);

    /// <summary>The physical GPU behind a replica, as an ordinary whole GPU.</summary>
    public SimulatedDevice Physical(SimulatedDevice replica) => replica with
    {
        Profile = whole,
        Index = replica.Index / Replicas,
        Name = $"gpu-{replica.Index / Replicas}",
        Uuid = "GPU-" + Guidish($"nvidia-timesliced/{replica.Node}/{replica.Index / Replicas}"),
    };

    private static string Guidish(string seed)
    {
        var hex = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(seed))).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
