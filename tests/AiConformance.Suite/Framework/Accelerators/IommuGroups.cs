using AiConformance.Workloads.Probe;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Ties a VFIO group a container has (<c>/dev/vfio/N</c>) to the passthrough device its driver published: by the IOMMU
/// group attribute where a driver publishes one, else by the device's PCI address (the standard
/// <c>resource.kubernetes.io/pciBusID</c>, or the NVIDIA driver's <c>pcieBusID</c>), which the kernel lists in
/// exactly one group (<c>/sys/kernel/iommu_groups/N/devices</c>, as the probe reports it).
/// </summary>
public static class IommuGroups
{
    private static readonly string[] GroupAttributes = ["iommuGroup", "iommu_group"];
    private static readonly string[] PciAddressAttributes = ["resource.kubernetes.io/pciBusID", "pciBusID", "pcieBusID"];

    /// <summary>What a seen group is checked against: a group number, or the PCI address the group must hold.</summary>
    public sealed record Published(string? Group, string? PciAddress)
    {
        public string Describe() => Group is not null ? $"IOMMU group {Group}" : $"PCI address {PciAddress}";
    }

    /// <summary>Null when the device publishes neither an IOMMU group nor a PCI address.</summary>
    public static Published? Of(PublishedDevice device)
    {
        if (GroupAttributes.Select(device.Text).FirstOrDefault(value => value is not null) is { } group) return new Published(group, null);
        return PciAddressAttributes.Select(device.Text).FirstOrDefault(value => value is not null) is { } address ? new Published(null, address) : null;
    }

    /// <summary>The numbers of the VFIO groups the container has (<c>/dev/vfio/N</c>; not the <c>/dev/vfio/vfio</c> container node).</summary>
    public static IReadOnlyList<string> Seen(ProbeReport report) =>
        [.. report.DeviceFiles.Where(file => file.StartsWith("/dev/vfio/", StringComparison.Ordinal))
            .Select(file => file["/dev/vfio/".Length..]).Where(name => name.Length > 0 && name.All(char.IsAsciiDigit))];

    /// <summary>
    /// Whether group <paramref name="seen"/> is the published device's: true or false, or null when sysfs did not
    /// say which devices the group holds (the container cannot read it), so the question cannot be decided.
    /// </summary>
    public static bool? IsTheDevicesGroup(string seen, Published published, ProbeReport report)
    {
        if (published.Group is not null) return published.Group == seen;
        var members = report.VfioGroups.GetValueOrDefault(seen) ?? [];
        if (members.Count == 0) return null;
        return members.Any(member => SamePciAddress(member, published.PciAddress!));
    }

    /// <summary>PCI addresses compare without case and without the domain's leading zeros (<c>00000000:18:00.0</c> is <c>0000:18:00.0</c>).</summary>
    public static bool SamePciAddress(string a, string b) => string.Equals(Normal(a), Normal(b), StringComparison.OrdinalIgnoreCase);

    private static string Normal(string address)
    {
        var parts = address.Trim().Split(':');
        if (parts.Length == 3) parts[0] = parts[0].TrimStart('0');
        return string.Join(":", parts);
    }
}
