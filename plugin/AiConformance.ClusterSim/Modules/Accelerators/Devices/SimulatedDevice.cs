namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// One physical accelerator installed in a simulated node. <see cref="Name"/> is its DRA device name
/// (<c>gpu-0</c>); <see cref="Driver"/> is the DRA driver that publishes it, or null when a device plugin exposes it.
/// </summary>
public sealed record SimulatedDevice(
    string Node,
    IAcceleratorProfile Profile,
    int Index,
    string Name,
    string Uuid,
    string Model,
    string Memory,
    string PciBusId,
    bool ViaDra)
{
    public string Driver => Profile.DriverName;
}
