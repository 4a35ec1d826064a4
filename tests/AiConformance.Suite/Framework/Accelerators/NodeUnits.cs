using System.Globalization;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The units of an accelerator one node hands out, and whether they are isolated by design (whole devices, MIG slices,
/// VFIO devices: two units are two devices) or shared by design (time-sliced or MPS replicas advertised by a device
/// plugin, DRA devices that allow several allocations: two units may be one physical device, as the administrator
/// configured). Decided from what the cluster publishes, never from its names alone: GPU Feature Discovery's labels of
/// the resource (<c>nvidia.com/gpu.replicas</c>, <c>.sharing-strategy</c>, <c>.product</c> ending in <c>-SHARED</c>,
/// <c>.count</c> for the physical devices), a resource renamed <c>*.shared</c>, or the devices' allowMultipleAllocations.
/// </summary>
public sealed record NodeUnits(string Node, int Units, int PhysicalDevices, string? SharedBecause)
{
    private const string SharedSuffix = ".shared";

    public bool Shared => SharedBecause is not null;

    public string Describe() => Shared
        ? $"{Node}: {Units} units on {PhysicalDevices} physical device(s), shared by design ({SharedBecause})"
        : $"{Node}: {Units} isolated units";

    public static IReadOnlyList<NodeUnits> Of(DetectedAccelerator accelerator, AcceleratorInventory inventory) =>
        [.. accelerator.Nodes.Select(node => accelerator.Path == AcceleratorPath.Dra
            ? OfDevices(node, accelerator.DevicesOn(node))
            : OfDevicePlugin(node, accelerator.ExtendedResource!, accelerator.CapacityByNode[node], inventory.Node(node)?.Metadata.Labels))];

    /// <summary>
    /// Where two pods given one unit each get different physical devices: two isolated units of one node first (where
    /// a leak between pods would happen), else two different nodes (isolated units first), else one node with several
    /// physical devices behind shared units (the caller must still check which physical device each pod got). Null
    /// when no two units can be on different physical devices.
    /// </summary>
    public static (NodeUnits A, NodeUnits B)? PlaceTwoApart(IReadOnlyList<NodeUnits> nodes)
    {
        var isolatedPair = nodes.Where(node => !node.Shared && node.Units >= 2)
            .OrderByDescending(node => node.Units).ThenBy(node => node.Node, StringComparer.Ordinal).FirstOrDefault();
        if (isolatedPair is not null) return (isolatedPair, isolatedPair);
        var apart = nodes.Where(node => node.Units >= 1)
            .OrderBy(node => node.Shared).ThenByDescending(node => node.Units).ThenBy(node => node.Node, StringComparer.Ordinal).Take(2).ToList();
        if (apart.Count == 2) return (apart[0], apart[1]);
        var severalPhysical = nodes.FirstOrDefault(node => node.Shared && node.PhysicalDevices >= 2 && node.Units >= 2);
        return severalPhysical is null ? null : (severalPhysical, severalPhysical);
    }

    private static NodeUnits OfDevices(string node, IReadOnlyList<PublishedDevice> devices) =>
        new(node, devices.Count, devices.Count,
            devices.Count > 0 && devices.All(device => device.AllowMultipleAllocations) ? "its devices allow multiple allocations" : null);

    private static NodeUnits OfDevicePlugin(string node, string resource, int units, IDictionary<string, string>? nodeLabels)
    {
        // Feature discovery labels a renamed shared resource (nvidia.com/gpu.shared) under the original name.
        var labelled = resource.EndsWith(SharedSuffix, StringComparison.Ordinal) ? resource[..^SharedSuffix.Length] : resource;
        var labels = nodeLabels ?? new Dictionary<string, string>();
        var replicas = Number(labels, $"{labelled}.replicas");
        var reasons = new List<string>();
        if (resource != labelled) reasons.Add($"advertised as {resource}");
        if (replicas > 1) reasons.Add($"{replicas} replicas per device ({labelled}.replicas)");
        if (labels.TryGetValue($"{labelled}.sharing-strategy", out var strategy) && strategy is not ("" or "none"))
            reasons.Add($"{labelled}.sharing-strategy={strategy}");
        if (labels.TryGetValue($"{labelled}.product", out var product) && product.EndsWith("-SHARED", StringComparison.Ordinal))
            reasons.Add($"{labelled}.product={product}");
        if (reasons.Count == 0) return new NodeUnits(node, units, units, null);
        // Unknown physical count: assume the fewest, so that an undecidable case asks for attestation instead of guessing.
        var physical = Number(labels, $"{labelled}.count") ?? (replicas > 1 ? Math.Max(1, units / replicas.Value) : 1);
        return new NodeUnits(node, units, physical, string.Join(", ", reasons));
    }

    private static int? Number(IDictionary<string, string> labels, string key) =>
        labels.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;
}
