using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// What one accelerator vendor looks like to the cluster and to containers: the DRA driver and its DeviceClasses,
/// the device plugin's extended resource, the ResourceSlice entry of a device, and what a container that was given
/// some devices sees (device files, environment, tools such as nvidia-smi).
/// </summary>
public interface IAcceleratorProfile
{
    /// <summary>The scenario's vendor key (<c>nvidia</c>, <c>example</c>).</summary>
    string Vendor { get; }

    string DriverName { get; }

    /// <summary>Whether the simulation has the vendor's DRA driver (false: its devices come through the device plugin only).</summary>
    bool HasDraDriver => true;

    /// <summary>The device plugin's extended resource (<c>nvidia.com/gpu</c>).</summary>
    string ExtendedResource { get; }

    string DefaultModel { get; }

    string DefaultMemory { get; }

    /// <summary>The DRA device name of the profile's <paramref name="index"/>-th device on a node.</summary>
    string DeviceName(int index) => $"gpu-{index}";

    /// <summary>The driver's DeviceClass manifests, as its Helm chart installs them.</summary>
    IReadOnlyList<JsonObject> DeviceClasses();

    /// <summary>One entry of <c>ResourceSlice.spec.devices</c>.</summary>
    JsonObject SliceDevice(SimulatedDevice device);

    /// <summary>Adds to the container what the driver's CDI spec or the device plugin injects for these devices.</summary>
    void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin);

    /// <summary>
    /// What the kubelet calls: <see cref="Expose(InMemoryContainerView, IReadOnlyList{SimulatedDevice}, bool)"/>, unless
    /// the hand-off depends on another component of the cluster (a driver's runtime hook that moves network interfaces).
    /// </summary>
    void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin, SimulatedCluster cluster) =>
        Expose(view, devices, viaDevicePlugin);
}
