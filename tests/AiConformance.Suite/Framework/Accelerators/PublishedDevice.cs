using System.Globalization;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// One device a DRA driver publishes in a ResourceSlice, with the node it is local to. <see cref="ConsumesCounters"/>:
/// a partition of a physical device (partitionable devices draw on counters the slice shares between them).
/// </summary>
public sealed partial record PublishedDevice(
    string Driver,
    string Pool,
    string Name,
    string? Node,
    IReadOnlyDictionary<string, V1DeviceAttribute> Attributes,
    IReadOnlyDictionary<string, V1DeviceCapacity> Capacity,
    bool AllowMultipleAllocations = false,
    bool ConsumesCounters = false)
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

    /// <summary>
    /// Identities the runtime may show inside the container: the device name (the DRA example driver's
    /// GPU_DEVICE_n), its UUID attribute (nvidia-smi), from its minor number its /dev/nvidiaN file and, from the AMD GPU
    /// driver's <c>gpu-CARD-RENDER</c> name, its /dev/dri/renderDN render node.
    /// </summary>
    public IReadOnlyList<string> Identities
    {
        get
        {
            var identities = new List<string> { Name };
            if (Text("uuid") is { } uuid) identities.Add(uuid);
            if (Attribute("minor")?.IntValue is { } minor) identities.Add($"/dev/nvidia{minor}");
            if (Driver == AmdGpuDriver && AmdDeviceName().Match(Name) is { Success: true } amd) identities.Add($"/dev/dri/renderD{amd.Groups[1].Value}");
            return identities;
        }
    }

    private const string AmdGpuDriver = "gpu.amd.com";

    /// <summary>ROCm/k8s-gpu-dra-driver docs/driver-attributes.md: a full GPU or partition is named gpu-CARDINDEX-RENDERINDEX.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^gpu-\d+-(\d+)$")]
    private static partial System.Text.RegularExpressions.Regex AmdDeviceName();

    /// <summary>Whether a probe's accelerator entry is this device.</summary>
    public bool IsSeenAs(AiConformance.Workloads.Probe.VisibleAccelerator accelerator) =>
        Identities.Contains(accelerator.Id, StringComparer.OrdinalIgnoreCase);

    public string Describe() =>
        $"{Key} on {Node ?? "(network)"}: " + string.Join(", ", Attributes.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key}={Format(pair.Value)}"))
        + (Capacity.Count == 0 ? "" : "; capacity " + string.Join(", ", Capacity.Select(pair => $"{pair.Key}={pair.Value.Value}")));

    private static string Format(V1DeviceAttribute attribute) =>
        attribute.StringValue ?? attribute.Version ?? attribute.IntValue?.ToString(CultureInfo.InvariantCulture)
        ?? attribute.BoolValue?.ToString() ?? "?";
}
