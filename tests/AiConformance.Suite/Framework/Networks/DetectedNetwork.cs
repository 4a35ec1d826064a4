using AiConformance.Workloads.Probe;

namespace AiConformance.Suite.Framework.Networks;

/// <summary>
/// A DRA driver that publishes network interfaces (DRANET and drivers like it), the DeviceClass pods claim them
/// through, and its usable devices. <see cref="NicAttributes.InterfaceName"/> of each device is the interface a pod
/// that is given it must see.
/// </summary>
public sealed record DetectedNetwork(string Driver, string DeviceClass, IReadOnlyList<PublishedDevice> Devices, string Origin) : IDetected
{
    public string Name => string.Concat(Driver.Split('-', '.', '_', '/').Where(part => part.Length > 0)
        .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    public string Summary =>
        $"DRA network driver {Driver} ({Origin}), DeviceClass {DeviceClass}: {Devices.Count} interfaces on " +
        $"{string.Join(", ", Devices.Select(device => device.Node ?? "(network)").Distinct().Order(StringComparer.Ordinal))}";

    /// <summary>Nodes with at least two interfaces, roomiest first: where two pods can each get one of their own.</summary>
    public IReadOnlyList<string> NodesWithTwo => [.. Devices.Where(device => device.Node is not null).GroupBy(device => device.Node!)
        .Where(node => node.Count() >= 2).OrderByDescending(node => node.Count()).ThenBy(node => node.Key, StringComparer.Ordinal).Select(node => node.Key)];

    public IReadOnlyList<PublishedDevice> DevicesOn(string node) => [.. Devices.Where(device => device.Node == node)];

    /// <summary>The published device a probe's interface is: same name and, where the driver published one, same hardware address.</summary>
    public static bool IsSeenIn(PublishedDevice device, ProbeReport report) =>
        NicAttributes.InterfaceName(device) is { } name && report.NetworkInterfaces.Contains(name, StringComparer.Ordinal) &&
        (NicAttributes.HardwareAddress(device) is not { } mac ||
         string.Equals(report.InterfaceAddresses.GetValueOrDefault(name), mac, StringComparison.OrdinalIgnoreCase));
}
