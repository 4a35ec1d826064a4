namespace AiConformance.Suite.Framework;

/// <summary>
/// Finds the accelerator the fixtures use: the user's configuration first, else DRA (a DeviceClass selecting devices
/// that ResourceSlices publish and that can be allocated), else a device plugin (a known extended resource on Ready
/// nodes, refused when a DeviceClass maps the same name through extendedResourceName, because the scheduler then
/// serves it through DRA).
/// </summary>
public static class AcceleratorDetection
{
    /// <summary>DeviceClasses of special kinds; the general fixtures prefer a class for whole devices.</summary>
    private static readonly string[] SpecialClassWords = ["mig", "vfio", "vgpu", "compute-domain", "shared", "timeslic", "mps", "partition"];

    /// <summary>The accelerator, or the test ends as needing attestation with what was looked for.</summary>
    public static async Task<DetectedAccelerator> RequireAsync(RunContext? run = null)
    {
        var detection = await DetectAsync(run ?? RunContext.Current);
        var accelerator = detection.Found.FirstOrDefault();
        if (accelerator is null)
            Outcome.NeedsAttestation($"no accelerator found: {detection.Searched}. " +
                                     $"Set {AcceleratorSettings.DeviceClassKey} or {AcceleratorSettings.ExtendedResourceKey} if the cluster has one.");
        Evidence.Observed("accelerator", accelerator.Summary);
        return accelerator;
    }

    public static async Task<Detection<DetectedAccelerator>> DetectAsync(RunContext run) =>
        Detect(await AcceleratorInventory.ReadAsync(run), AcceleratorSettings.From(run.Configuration));

    /// <summary>The accelerator the fixtures use (at most one: the first usable in the order above) and where it was looked for.</summary>
    public static Detection<DetectedAccelerator> Detect(AcceleratorInventory inventory, AcceleratorSettings settings)
    {
        var lookedFor = new List<string>();

        if (settings.DeviceClass is { } configuredClass)
        {
            lookedFor.Add($"configured DeviceClass {configuredClass}");
            var selector = inventory.DeviceClass(configuredClass);
            var accelerator = selector is null ? null : FromClass(selector, inventory, settings, "configured");
            if (selector is null) lookedFor.Add($"(no DeviceClass {configuredClass} exists{(inventory.DraServed ? "" : "; resource.k8s.io/v1 is not served")})");
            else if (accelerator is null) lookedFor.Add($"(DeviceClass {configuredClass} selects no allocatable device)");
            return Found(accelerator, lookedFor);
        }
        if (settings.ExtendedResource is { } configuredResource)
        {
            var accelerator = FromExtendedResource(configuredResource, inventory, settings, "configured");
            return Found(accelerator, [$"configured extended resource {configuredResource} on Ready nodes"]);
        }

        lookedFor.Add(inventory.DraServed
            ? $"DeviceClasses selecting allocatable devices of ResourceSlices ({inventory.DeviceClasses.Count} classes, {inventory.Devices.Count} usable devices)"
            : "DRA (resource.k8s.io/v1 not served)");
        var dra = AcceleratorClasses(inventory)
            .OrderBy(deviceClass => SpecialClassWords.Any(word => deviceClass.Name.Contains(word, StringComparison.OrdinalIgnoreCase)) ? 1 : 0)
            .ThenByDescending(deviceClass => inventory.DevicesOf(deviceClass).Count)
            .ThenBy(deviceClass => deviceClass.Name, StringComparer.Ordinal)
            .Select(deviceClass => FromClass(deviceClass, inventory, settings, "detected"))
            .FirstOrDefault(accelerator => accelerator is not null);
        if (dra is not null) return Found(dra, lookedFor);

        lookedFor.Add($"device-plugin resources [{string.Join(", ", AcceleratorInventory.KnownExtendedResources)}] on Ready nodes");
        var mappedByDra = inventory.MappedByDra;
        foreach (var resource in AcceleratorInventory.KnownExtendedResources)
        {
            if (mappedByDra.Contains(resource))
            {
                lookedFor.Add($"({resource} is mapped to a DeviceClass through extendedResourceName, so it is not a device-plugin resource)");
                continue;
            }
            if (FromExtendedResource(resource, inventory, settings, "detected") is { } plugin)
                return Found(plugin, lookedFor);
        }
        if (inventory.Notes.Count > 0) lookedFor.Add($"left out: {string.Join("; ", inventory.Notes)}");
        return Found(null, lookedFor);
    }

    /// <summary>The DeviceClasses that select accelerators: a class of NICs (DRANET) or CPUs is none, even where it is the only one.</summary>
    public static IEnumerable<DeviceClassSelector> AcceleratorClasses(AcceleratorInventory inventory) =>
        inventory.DeviceClasses.Where(deviceClass => inventory.DevicesOf(deviceClass).Any(AcceleratorKind.IsAccelerator));

    private static Detection<DetectedAccelerator> Found(DetectedAccelerator? accelerator, IReadOnlyList<string> lookedFor) =>
        new(accelerator is null ? [] : [accelerator], lookedFor);

    internal static DetectedAccelerator? FromClass(DeviceClassSelector deviceClass, AcceleratorInventory inventory, AcceleratorSettings settings, string origin)
    {
        var devices = inventory.DevicesOf(deviceClass)
            .Where(device => device.Node is null || MatchesSelector(inventory, device.Node, settings.NodeSelector))
            .ToList();
        if (devices.Count == 0) return null;
        var nodes = devices.Where(device => device.Node is not null).GroupBy(device => device.Node!).ToDictionary(group => group.Key, group => group.Count());
        return new DetectedAccelerator
        {
            Path = AcceleratorPath.Dra,
            DeviceClass = deviceClass.Name,
            Driver = deviceClass.Driver ?? devices[0].Driver,
            Devices = devices,
            CapacityByNode = nodes,
            NodeSelector = settings.NodeSelector,
            Tolerations = WithNodeTaints(settings.Tolerations, inventory, nodes.Keys),
            Origin = origin,
        };
    }

    internal static DetectedAccelerator? FromExtendedResource(string resource, AcceleratorInventory inventory, AcceleratorSettings settings, string origin)
    {
        var nodes = inventory.Allocatable(resource)
            .Where(entry => MatchesSelector(inventory, entry.Key, settings.NodeSelector))
            .ToDictionary(entry => entry.Key, entry => entry.Value);
        if (nodes.Count == 0) return null;
        return new DetectedAccelerator
        {
            Path = AcceleratorPath.DevicePlugin,
            ExtendedResource = resource,
            CapacityByNode = nodes,
            NodeSelector = settings.NodeSelector,
            Tolerations = WithNodeTaints(settings.Tolerations, inventory, nodes.Keys),
            Origin = origin,
        };
    }

    internal static bool MatchesSelector(AcceleratorInventory inventory, string node, IReadOnlyDictionary<string, string> selector) =>
        selector.Count == 0 || inventory.Node(node)?.Metadata.Labels is { } labels &&
        selector.All(entry => labels.TryGetValue(entry.Key, out var value) && value == entry.Value);

    /// <summary>
    /// Accelerator nodes are often tainted so that only accelerator workloads land there; the probe pods tolerate the
    /// taints of exactly those nodes, besides what the user configured.
    /// </summary>
    private static IReadOnlyList<k8s.Models.V1Toleration> WithNodeTaints(
        IReadOnlyList<k8s.Models.V1Toleration> configured, AcceleratorInventory inventory, IEnumerable<string> nodes)
    {
        var tolerations = configured.ToList();
        foreach (var taint in nodes.SelectMany(node => inventory.Node(node)?.Spec?.Taints ?? []))
        {
            if (taint.Effect is not ("NoSchedule" or "NoExecute")) continue;
            if (tolerations.Any(toleration => toleration.Key == taint.Key && toleration.Effect == taint.Effect)) continue;
            tolerations.Add(new k8s.Models.V1Toleration { Key = taint.Key, OperatorProperty = "Exists", Effect = taint.Effect });
        }
        return tolerations;
    }
}
