using System.Globalization;
using AiConformance.Workloads.Metrics;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>A device an exporter should report on: its name and the identities the driver published for it.</summary>
public sealed record ExpectedDevice(string Name, string? Uuid, string? Index, string? PciBusId)
{
    public static ExpectedDevice From(PublishedDevice device) => new(
        device.Name,
        device.Text("uuid"),
        device.Text("index") ?? device.Text("minor"),
        device.Text("resource.kubernetes.io/pciBusID") ?? device.Text("pciBusID"));

    /// <summary>
    /// The devices as the exporter itself names them, for a device plugin that publishes no identities to compare with:
    /// one per distinct combination of device labels.
    /// </summary>
    public static IReadOnlyList<ExpectedDevice> AsLabelled(ExporterProfile profile, Exposition exposition) =>
        [.. exposition.Samples(profile.UtilizationMetric)
            // Several labels may carry one kind of identity (gpu_uuid, or GPU_UUID in older releases): the first one set.
            .Select(sample => profile.DeviceLabels.GroupBy(label => label.Value)
                .ToDictionary(kind => kind.Key, kind => kind.Select(label => sample.Label(label.Key)).FirstOrDefault(value => value is { Length: > 0 })))
            .Where(identity => identity.Values.Any(value => value is { Length: > 0 }))
            .Select(identity => new ExpectedDevice(
                string.Join("/", identity.Values.Where(value => value is { Length: > 0 })),
                identity.GetValueOrDefault(DeviceIdentityKind.Uuid), identity.GetValueOrDefault(DeviceIdentityKind.Index), identity.GetValueOrDefault(DeviceIdentityKind.PciBusId)))
            .Distinct()];

    public string? Identity(DeviceIdentityKind kind) => kind switch
    {
        DeviceIdentityKind.Uuid => Uuid,
        DeviceIdentityKind.Index => Index,
        _ => PciBusId,
    };

    public override string ToString() => $"{Name} (uuid {Uuid ?? "-"}, index {Index ?? "-"}, PCI {PciBusId ?? "-"})";
}

/// <summary>
/// Which device each sample of an exporter measures, judged from its device labels against what the driver published:
/// a sample is a device's when every device label it has names that same device. Samples without a device label, and
/// samples whose labels name no published device or different ones, are listed as unattributed.
/// </summary>
public sealed class DeviceSeries(ExporterProfile profile, IReadOnlyList<ExpectedDevice> devices)
{
    public ExpectedDevice? DeviceOf(MetricSample sample, out string? problem)
    {
        var identities = profile.DeviceLabels.Where(label => sample.Label(label.Key) is { Length: > 0 })
            .Select(label => (Label: label.Key, Kind: label.Value, Value: sample.Label(label.Key)!)).ToList();
        if (identities.Count == 0)
        {
            problem = $"no device label (looked for {string.Join(", ", profile.DeviceLabels.Keys)})";
            return null;
        }
        var candidates = devices.Where(device => identities.All(identity => SameIdentity(identity.Kind, device.Identity(identity.Kind), identity.Value))).ToList();
        if (candidates.Count == 1)
        {
            problem = null;
            return candidates[0];
        }
        var named = identities.Select(identity => $"{identity.Label}={identity.Value} names " +
            string.Join(" or ", devices.Where(device => SameIdentity(identity.Kind, device.Identity(identity.Kind), identity.Value)).Select(device => device.Name).DefaultIfEmpty("no published device")));
        problem = $"its device labels do not name one published device: {string.Join("; ", named)}";
        return null;
    }

    /// <summary>The samples of <paramref name="metric"/> attributed to each device, and those that could not be.</summary>
    public (IReadOnlyDictionary<ExpectedDevice, IReadOnlyList<MetricSample>> ByDevice, IReadOnlyList<string> Unattributed) Of(Exposition exposition, string metric)
    {
        var byDevice = devices.ToDictionary(device => device, _ => new List<MetricSample>());
        var unattributed = new List<string>();
        foreach (var sample in exposition.Samples(metric))
        {
            if (DeviceOf(sample, out var problem) is { } device) byDevice[device].Add(sample);
            else unattributed.Add($"{sample} {sample.Value}: {problem}");
        }
        return (byDevice.ToDictionary(entry => entry.Key, entry => (IReadOnlyList<MetricSample>)entry.Value), unattributed);
    }

    private static bool SameIdentity(DeviceIdentityKind kind, string? published, string labelled) => published is not null && kind switch
    {
        DeviceIdentityKind.PciBusId => NormalizedBusId(published) == NormalizedBusId(labelled),
        _ => string.Equals(published, labelled, StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>PCI addresses are written with 4 or 8 domain digits and either case (<c>0000:18:00.0</c>, <c>00000000:18:00.0</c>).</summary>
    private static string NormalizedBusId(string busId)
    {
        var parts = busId.Trim().ToLowerInvariant().Split(':');
        return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var domain)
            ? $"{domain:x4}:{parts[1]}:{parts[2]}"
            : busId.Trim().ToLowerInvariant();
    }
}
