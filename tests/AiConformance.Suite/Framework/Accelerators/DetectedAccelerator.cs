using k8s.Models;

namespace AiConformance.Suite.Framework;

public enum AcceleratorPath
{
    /// <summary>Dynamic Resource Allocation: ResourceClaims for a DeviceClass.</summary>
    Dra,

    /// <summary>A device plugin: an extended resource in the container's limits.</summary>
    DevicePlugin,
}

/// <summary>
/// The accelerator the fixtures use and how pods ask for it. <see cref="CapacityByNode"/> counts the devices each
/// node can give; <see cref="Devices"/> lists them for DRA.
/// </summary>
public sealed record DetectedAccelerator : IDetected
{
    /// <summary>How pods ask for it: <c>Dra</c> or <c>DevicePlugin</c>.</summary>
    public string Name => Path.ToString();

    public required AcceleratorPath Path { get; init; }

    /// <summary>DRA: the DeviceClass claims name.</summary>
    public string? DeviceClass { get; init; }

    /// <summary>DRA: the driver publishing the devices.</summary>
    public string? Driver { get; init; }

    /// <summary>Device plugin: the extended resource.</summary>
    public string? ExtendedResource { get; init; }

    public IReadOnlyList<PublishedDevice> Devices { get; init; } = [];

    public required IReadOnlyDictionary<string, int> CapacityByNode { get; init; }

    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<V1Toleration> Tolerations { get; init; } = [];

    /// <summary>"configured" or "detected", for the evidence.</summary>
    public required string Origin { get; init; }

    public IReadOnlyList<string> Nodes => [.. CapacityByNode.Where(entry => entry.Value > 0).Select(entry => entry.Key).Order(StringComparer.Ordinal)];

    /// <summary>The node with the most devices (ties: by name), for tests that need several on one node.</summary>
    public string? RoomiestNode => CapacityByNode.OrderByDescending(entry => entry.Value).ThenBy(entry => entry.Key, StringComparer.Ordinal)
        .Select(entry => entry.Key).FirstOrDefault();

    public IReadOnlyList<PublishedDevice> DevicesOn(string node) => [.. Devices.Where(device => device.Node == node)];

    public string Summary => Path == AcceleratorPath.Dra
        ? $"DRA DeviceClass `{DeviceClass}` (driver {Driver}), {Devices.Count} devices on [{string.Join(", ", Nodes)}] ({Origin})"
        : $"device plugin resource `{ExtendedResource}`, {CapacityByNode.Values.Sum()} on [{string.Join(", ", Nodes)}] ({Origin})";
}
