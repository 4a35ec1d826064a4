namespace AiConformance.Suite.Framework.Networks;

/// <summary>
/// The attributes by which network drivers describe an interface, under the names drivers use (each short name may be
/// qualified by the driver's domain, as DRA allows). A device with an interface name is a network interface; the
/// characteristics are what a workload or scheduler selects on (KAR-0010: type, bandwidth, RDMA, PCI address, NUMA).
/// </summary>
public static class NicAttributes
{
    /// <summary>Names of the interface a pod is given (DRANET: <c>dra.net/ifName</c>).</summary>
    public static readonly IReadOnlyList<string> InterfaceNames = ["ifName", "interfaceName", "interface", "netdev"];

    public static readonly IReadOnlyList<string> HardwareAddresses = ["mac", "macAddress", "hwAddress"];

    /// <summary>Characteristics, by what they tell (the standard PCI attribute is <c>resource.kubernetes.io/pciBusID</c>).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Characteristics = new Dictionary<string, IReadOnlyList<string>>
    {
        ["RDMA"] = ["rdma", "rdmaCapable"],
        ["bandwidth"] = ["bandwidth", "linkSpeed", "speed"],
        ["PCI address"] = ["pciAddress", "pciBusID", "resource.kubernetes.io/pciBusID"],
        ["NUMA node"] = ["numaNode", "numa"],
        ["type"] = ["type", "encapsulation", "linkType"],
        ["MTU"] = ["mtu"],
    };

    public static string? InterfaceName(PublishedDevice device) => First(device, InterfaceNames);

    public static string? HardwareAddress(PublishedDevice device) => First(device, HardwareAddresses);

    /// <summary>The interface-name attribute as the device publishes it (<c>dra.net/ifName</c>).</summary>
    public static string? InterfaceNameAttribute(PublishedDevice device) =>
        InterfaceNames.FirstOrDefault(name => !string.IsNullOrEmpty(device.Text(name))) is { } found ? Qualified(device, found) : null;

    public static string? HardwareAddressAttribute(PublishedDevice device) =>
        HardwareAddresses.FirstOrDefault(name => !string.IsNullOrEmpty(device.Text(name))) is { } found ? Qualified(device, found) : null;

    public static bool IsNetworkInterface(PublishedDevice device) => InterfaceName(device) is not null;

    /// <summary>The characteristics the device publishes, as "what (attribute)=value".</summary>
    public static IReadOnlyList<(string What, string Attribute, string Value)> CharacteristicsOf(PublishedDevice device) =>
        [.. Characteristics.SelectMany(entry => entry.Value.Select(name => (entry.Key, Name: Qualified(device, name), Value: device.Text(name)))
            .Where(found => found.Value is not null).Take(1)
            .Select(found => (entry.Key, found.Name, found.Value!)))];

    /// <summary>The attribute's name as published (the qualified one when the short name was given).</summary>
    public static string Qualified(PublishedDevice device, string name) =>
        device.Attributes.ContainsKey(name) ? name : $"{device.Driver}/{name}";

    private static string? First(PublishedDevice device, IEnumerable<string> names) =>
        names.Select(device.Text).FirstOrDefault(value => !string.IsNullOrEmpty(value));
}
