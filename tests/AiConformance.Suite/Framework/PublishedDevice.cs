using System.Globalization;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>One device a DRA driver publishes in a ResourceSlice, with the node it is local to.</summary>
public sealed record PublishedDevice(
    string Driver,
    string Pool,
    string Name,
    string? Node,
    IReadOnlyDictionary<string, V1DeviceAttribute> Attributes,
    IReadOnlyDictionary<string, V1DeviceCapacity> Capacity,
    bool AllowMultipleAllocations = false)
{
    public string Key => $"{Driver}/{Pool}/{Name}";

    /// <summary>
    /// An attribute by its short name (<c>driverVersion</c>) or qualified name (<c>gpu.nvidia.com/driverVersion</c>);
    /// a short name also matches when it is qualified by the driver's own domain, as the DRA API defines.
    /// </summary>
    public V1DeviceAttribute? Attribute(string name) =>
        Attributes.TryGetValue(name, out var value) ? value
        : Attributes.TryGetValue($"{Driver}/{name}", out value) ? value
        : null;

    public string? Text(string name) => Attribute(name) switch
    {
        null => null,
        { StringValue: { } text } => text,
        { Version: { } version } => version,
        { IntValue: { } number } => number.ToString(CultureInfo.InvariantCulture),
        { BoolValue: { } flag } => flag ? "true" : "false",
        _ => null,
    };

    /// <summary>Identities the runtime may show inside the container: the device name and its UUID attribute.</summary>
    public IReadOnlyList<string> Identities => Text("uuid") is { } uuid ? [Name, uuid] : [Name];

    public string Describe() =>
        $"{Key} on {Node ?? "(network)"}: " + string.Join(", ", Attributes.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key}={Format(pair.Value)}"))
        + (Capacity.Count == 0 ? "" : "; capacity " + string.Join(", ", Capacity.Select(pair => $"{pair.Key}={pair.Value.Value}")));

    private static string Format(V1DeviceAttribute attribute) =>
        attribute.StringValue ?? attribute.Version ?? attribute.IntValue?.ToString(CultureInfo.InvariantCulture)
        ?? attribute.BoolValue?.ToString() ?? "?";
}
