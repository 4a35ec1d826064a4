using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Behaviours.Kubelet;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// runc with a device-isolation fault, for broken scenarios; option <c>fault</c> picks one:
/// <list type="bullet">
/// <item><c>gpus-for-unrequested-containers</c>: a container given no device sees every accelerator of the node, of
/// every vendor, as that vendor exposes it (a runtime that injects devices by default);</item>
/// <item><c>honour-visible-devices-all</c>: a container given no device but with a runtime's visible-devices variable
/// set to all in its environment (<c>NVIDIA_VISIBLE_DEVICES=all</c>, <c>AMD_VISIBLE_DEVICES=all</c>, ...) sees every
/// accelerator of the node, of every vendor (the unprivileged environment-variable leak of a runtime that resolves
/// the request to every device it knows);</item>
/// <item><c>hide-devices-of-shared-claims</c>: a pod that references a ResourceClaim by name gets nothing from it,
/// though the claim is allocated and reserved (a driver that fails to prepare shared claims);</item>
/// <item><c>mig-as-whole-gpu</c>: a container given MIG slices gets their whole parent GPUs instead;</item>
/// <item><c>hide-vfio-devices</c>: VFIO passthrough devices are allocated but never bound into the container;</item>
/// <item><c>vfio-group-of-another-device</c>: the container is given the IOMMU group of another VFIO device of the
/// node than the one allocated;</item>
/// <item><c>timeslice-replicas-as-gpus</c>: a time-sliced replica is presented as a GPU of its own, not as the
/// physical GPU it shares.</item>
/// </list>
/// </summary>
public sealed class FaultyRuncRuntime : RuncRuntime
{
    public const string RuntimeName = "runc-faulty";

    public override string Name => RuntimeName;

    /// <summary>The faults the switch of <see cref="Create"/> knows.</summary>
    private static readonly string[] Faults =
    [
        "gpus-for-unrequested-containers", "honour-visible-devices-all", "hide-devices-of-shared-claims", "mig-as-whole-gpu",
        "hide-vfio-devices", "vfio-group-of-another-device", "timeslice-replicas-as-gpus",
    ];

    public override IReadOnlyList<RuntimeOption> Options { get; } = [.. RuncOptions, new RuntimeOption("fault", Faults)];

    public override ContainerSandbox Create(ContainerContext context)
    {
        var fault = context.RuntimeOptions.GetValueOrDefault("fault", "");
        var unrequested = context.DraDevices.Count == 0 && context.DevicePluginDevices.Count == 0;
        return fault switch
        {
            "gpus-for-unrequested-containers" when unrequested =>
                base.Create(context with { DevicePluginDevices = InjectableDevicesOf(context) }),
            "honour-visible-devices-all" when unrequested && AsksForAllDevices(context.Environment) =>
                base.Create(context with { DevicePluginDevices = InjectableDevicesOf(context) }),
            "hide-devices-of-shared-claims" when context.Pod.ClaimNames().Any(claim => IsByName(context, claim.PodClaim)) =>
                base.Create(context with { DraDevices = [] }),
            "mig-as-whole-gpu" =>
                base.Create(context with { DraDevices = ParentsOfSlices(context.DraDevices), DevicePluginDevices = ParentsOfSlices(context.DevicePluginDevices) }),
            "hide-vfio-devices" =>
                base.Create(context with { DraDevices = [.. context.DraDevices.Where(device => device.Profile is not NvidiaVfioProfile)] }),
            "vfio-group-of-another-device" =>
                base.Create(context with { DraDevices = [.. context.DraDevices.Select(device => AnotherVfioDevice(context, device))] }),
            "timeslice-replicas-as-gpus" =>
                base.Create(context with { DevicePluginDevices = [.. context.DevicePluginDevices.Select(AsOwnGpu)] }),
            _ => base.Create(context),
        };
    }

    private static SimulatedDevice AsOwnGpu(SimulatedDevice device) =>
        device.Profile is NvidiaTimeSlicedProfile ? device with { Profile = AcceleratorProfiles.Get("nvidia"), Uuid = "GPU-" + device.Uuid[4..] } : device;

    /// <summary>
    /// Every accelerator of the node a runtime could inject, each exposed as its vendor does (the DRA example driver's
    /// as GPU_DEVICE_n variables); not devices bound to vfio-pci, which no vendor runtime drives.
    /// </summary>
    private static List<SimulatedDevice> InjectableDevicesOf(ContainerContext context) =>
        [.. context.Cluster.Devices.OnNode(context.Node.Name()).Where(device => device.Profile is not NvidiaVfioProfile)];

    private static bool AsksForAllDevices(IReadOnlyDictionary<string, string> environment) =>
        environment.Any(variable => variable.Key.EndsWith("_VISIBLE_DEVICES", StringComparison.Ordinal) && variable.Value == "all");

    /// <summary>The next VFIO device of the node after <paramref name="device"/> (itself when it is the only one).</summary>
    private static SimulatedDevice AnotherVfioDevice(ContainerContext context, SimulatedDevice device)
    {
        if (device.Profile is not NvidiaVfioProfile) return device;
        var vfio = context.Cluster.Devices.OnNode(context.Node.Name()).Where(other => other.Profile is NvidiaVfioProfile).ToList();
        return vfio[(vfio.IndexOf(device) + 1) % vfio.Count];
    }

    private static bool IsByName(ContainerContext context, string podClaim) =>
        (context.Pod["spec"]?["resourceClaims"] as System.Text.Json.Nodes.JsonArray ?? [])
        .OfType<System.Text.Json.Nodes.JsonObject>()
        .Any(claim => (string?)claim["name"] == podClaim && claim["resourceClaimName"] is not null);

    /// <summary>Each MIG slice replaced by its physical parent, exposed as an ordinary whole GPU.</summary>
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
