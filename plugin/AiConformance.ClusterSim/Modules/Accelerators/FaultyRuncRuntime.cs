using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Behaviours.Kubelet;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// runc with a device-isolation fault, for broken scenarios: option <c>fault</c> names one of
/// <see cref="RuntimeFaults.Catalog"/>, which changes what the container is given before runc sets it up.
/// </summary>
public sealed class FaultyRuncRuntime : RuncRuntime
{
    public const string RuntimeName = "runc-faulty";

    public override string Name => RuntimeName;

    public override IReadOnlyList<RuntimeOption> Options { get; } = [.. RuncOptions, new RuntimeOption("fault", [.. RuntimeFaults.Catalog.Names])];

    public override ContainerSandbox Create(ContainerContext context) =>
        base.Create(RuntimeFaults.Catalog.Named(context.RuntimeOptions.GetValueOrDefault("fault", "")) is { } fault ? fault.Apply(context) : context);
}

/// <summary>What a faulty runtime does to what a container was given: the devices it sets up instead.</summary>
public interface IRuntimeFault
{
    ContainerContext Apply(ContainerContext context);
}

/// <summary>The faulty runtime's faults, by the name a scenario's <c>fault:</c> runtime option gives.</summary>
public static class RuntimeFaults
{
    public static readonly FaultCatalog<IRuntimeFault> Catalog = new("a runtime fault", new Dictionary<string, Func<IRuntimeFault>>
    {
        ["gpus-for-unrequested-containers"] = () => new GpusForUnrequestedContainers(),
        ["honour-visible-devices-all"] = () => new HonourVisibleDevicesAll(),
        ["hide-devices-of-shared-claims"] = () => new HideDevicesOfSharedClaims(),
        ["mig-as-whole-gpu"] = () => new MigAsWholeGpu(),
        ["hide-vfio-devices"] = () => new HideVfioDevices(),
        ["vfio-group-of-another-device"] = () => new VfioGroupOfAnotherDevice(),
        ["timeslice-replicas-as-gpus"] = () => new TimesliceReplicasAsGpus(),
    });

    internal static bool Unrequested(ContainerContext context) => context.DraDevices.Count == 0 && context.DevicePluginDevices.Count == 0;

    /// <summary>
    /// Every accelerator of the node a runtime could inject, each exposed as its vendor does (the DRA example driver's
    /// as GPU_DEVICE_n variables); not devices bound to vfio-pci, which no vendor runtime drives.
    /// </summary>
    internal static List<SimulatedDevice> InjectableDevicesOf(ContainerContext context) =>
        [.. context.Cluster.Devices.OnNode(context.Node.Name()).Where(device => device.Profile is not NvidiaVfioProfile)];
}

/// <summary>A container given no device sees every accelerator of the node, of every vendor (a runtime that injects devices by default).</summary>
public sealed class GpusForUnrequestedContainers : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        RuntimeFaults.Unrequested(context) ? context with { DevicePluginDevices = RuntimeFaults.InjectableDevicesOf(context) } : context;
}

/// <summary>
/// A container given no device but with a runtime's visible-devices variable set to all in its environment
/// (<c>NVIDIA_VISIBLE_DEVICES=all</c>, <c>AMD_VISIBLE_DEVICES=all</c>, ...) sees every accelerator of the node, of every
/// vendor: the unprivileged environment-variable leak of a runtime that resolves the request to every device it knows.
/// </summary>
public sealed class HonourVisibleDevicesAll : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        RuntimeFaults.Unrequested(context) && context.Environment.Any(variable =>
            variable.Key.EndsWith("_VISIBLE_DEVICES", StringComparison.Ordinal) && variable.Value == "all")
            ? context with { DevicePluginDevices = RuntimeFaults.InjectableDevicesOf(context) }
            : context;
}

/// <summary>A pod that references a ResourceClaim by name gets nothing from it, though the claim is allocated and reserved (a driver that fails to prepare shared claims).</summary>
public sealed class HideDevicesOfSharedClaims : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        context.Pod.ClaimNames().Any(claim => IsByName(context, claim.PodClaim)) ? context with { DraDevices = [] } : context;

    private static bool IsByName(ContainerContext context, string podClaim) =>
        (context.Pod["spec"]?["resourceClaims"] as System.Text.Json.Nodes.JsonArray ?? [])
        .OfType<System.Text.Json.Nodes.JsonObject>()
        .Any(claim => (string?)claim["name"] == podClaim && claim["resourceClaimName"] is not null);
}

/// <summary>A container given MIG slices gets their whole parent GPUs instead, each exposed as an ordinary whole GPU.</summary>
public sealed class MigAsWholeGpu : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        context with { DraDevices = ParentsOfSlices(context.DraDevices), DevicePluginDevices = ParentsOfSlices(context.DevicePluginDevices) };

    private static List<SimulatedDevice> ParentsOfSlices(IReadOnlyList<SimulatedDevice> devices)
    {
        var whole = AcceleratorProfiles.Get("nvidia");
        return [.. devices.Select(device => device.Profile is NvidiaMigProfile
                ? device with
                {
                    Profile = whole,
                    Index = device.Index / NvidiaMigProfile.SlicesPerGpu,
                    Name = $"gpu-{device.Index / NvidiaMigProfile.SlicesPerGpu}",
                    Uuid = NvidiaMigProfile.ParentUuid(device),
                    Memory = "80Gi",
                }
                : device)
            .DistinctBy(device => device.Uuid)];
    }
}

/// <summary>VFIO passthrough devices are allocated but never bound into the container.</summary>
public sealed class HideVfioDevices : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        context with { DraDevices = [.. context.DraDevices.Where(device => device.Profile is not NvidiaVfioProfile)] };
}

/// <summary>The container is given the IOMMU group of another VFIO device of the node (the next one) than the one allocated.</summary>
public sealed class VfioGroupOfAnotherDevice : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        context with { DraDevices = [.. context.DraDevices.Select(device => Another(context, device))] };

    private static SimulatedDevice Another(ContainerContext context, SimulatedDevice device)
    {
        if (device.Profile is not NvidiaVfioProfile) return device;
        var vfio = context.Cluster.Devices.OnNode(context.Node.Name()).Where(other => other.Profile is NvidiaVfioProfile).ToList();
        return vfio[(vfio.IndexOf(device) + 1) % vfio.Count];
    }
}

/// <summary>A time-sliced replica is presented as a GPU of its own, not as the physical GPU it shares.</summary>
public sealed class TimesliceReplicasAsGpus : IRuntimeFault
{
    public ContainerContext Apply(ContainerContext context) =>
        context with { DevicePluginDevices = [.. context.DevicePluginDevices.Select(AsOwnGpu)] };

    private static SimulatedDevice AsOwnGpu(SimulatedDevice device) =>
        device.Profile is NvidiaTimeSlicedProfile ? device with { Profile = AcceleratorProfiles.Get("nvidia"), Uuid = "GPU-" + device.Uuid[4..] } : device;
}
