using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Networks;

/// <summary>
/// RDMA-capable NICs published by DRANET (driver <c>dra.net</c>, DeviceClass <c>dranet</c>): each device is one
/// host interface, named after it, with the attributes DRANET discovers (ifName, mac, pciAddress, numaNode, rdma,
/// mtu, ...). A scenario installs them as a node's <c>accelerators</c> entry of vendor <c>dranet</c>. When a pod
/// that claimed one starts, DRANET's runtime hook moves the interface, name and hardware address unchanged, into
/// the pod's network namespace: that hand-off is the <c>dranet</c> component (<see cref="NicHandOff"/>).
/// </summary>
public sealed class DranetNicProfile : IAcceleratorProfile
{
    public const string Driver = "dra.net";

    public string Vendor => "dranet";
    public string DriverName => Driver;
    public string ExtendedResource => "";
    public string DefaultModel => "ConnectX-7";
    public string DefaultMemory => "0";

    /// <summary>The host interface name, which DRANET also uses as the device name (a valid DNS label).</summary>
    public string DeviceName(int index) => InterfaceName(index);

    public static string InterfaceName(int index) => $"eth{index + 1}";

    public IReadOnlyList<JsonObject> DeviceClasses() => [DeviceClassManifest.Of("dranet", $"device.driver == '{Driver}'")];

    public JsonObject SliceDevice(SimulatedDevice device) => new()
    {
        ["name"] = device.Name,
        ["attributes"] = new JsonObject
        {
            [$"{Driver}/ifName"] = new JsonObject { ["string"] = InterfaceName(device.Index) },
            [$"{Driver}/mac"] = new JsonObject { ["string"] = HardwareAddress(device) },
            [$"{Driver}/pciAddress"] = new JsonObject { ["string"] = device.PciBusId.ToLowerInvariant() },
            [$"{Driver}/pciVendor"] = new JsonObject { ["string"] = "Mellanox Technologies" },
            [$"{Driver}/pciDevice"] = new JsonObject { ["string"] = $"MT2910 Family [{device.Model}]" },
            [$"{Driver}/numaNode"] = new JsonObject { ["int"] = device.Index % 2 },
            [$"{Driver}/rdma"] = new JsonObject { ["bool"] = true },
            [$"{Driver}/mtu"] = new JsonObject { ["int"] = 9000 },
            [$"{Driver}/encapsulation"] = new JsonObject { ["string"] = "ether" },
            [$"{Driver}/state"] = new JsonObject { ["string"] = "up" },
            [$"{Driver}/type"] = new JsonObject { ["string"] = "device" },
            [$"{Driver}/virtual"] = new JsonObject { ["bool"] = false },
        },
    };

    /// <summary>A stable, locally administered unicast address derived from the device's identity.</summary>
    public static string HardwareAddress(SimulatedDevice device)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(device.Uuid));
        hash[0] = (byte)((hash[0] | 0x02) & 0xFE);
        return string.Join(':', hash.Take(6).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>Without the cluster there is no runtime hook to move interfaces: see the overload.</summary>
    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
    }

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin, SimulatedCluster cluster) =>
        NicHandOff.In(cluster)?.MoveInto(view, devices);
}
