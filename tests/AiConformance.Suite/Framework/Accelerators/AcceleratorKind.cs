namespace AiConformance.Suite.Framework;

/// <summary>
/// One way the cluster publishes accelerators, with the nodes that publish it: the devices a DeviceClass selects (a
/// class counts when it covers devices no narrower class did), a DRA driver's devices that no class selects (they
/// cannot be requested), or a device-plugin resource. <see cref="Passthrough"/> kinds are bound to vfio-pci for
/// virtual machines: no accelerator driver runs for them on the node. DRA devices count as accelerators when they say
/// so (a driverVersion, a type gpu/mig/vfio/vgpu, or a driver named gpu.*, tpu.*, npu.*, neuron.*, accel.*), so that
/// network, CPU or ComputeDomain channel devices of other DRA drivers are not taken for accelerators.
/// </summary>
public sealed record AcceleratorKind(string Name, DetectedAccelerator? Requestable, IReadOnlyList<string> Nodes, IReadOnlyList<PublishedDevice> Devices, bool Passthrough)
{
    private static readonly string[] AcceleratorTypes = ["gpu", "mig", "vfio", "vgpu"];
    private static readonly string[] AcceleratorDriverPrefixes = ["gpu.", "tpu.", "npu.", "neuron.", "accel."];

    public IReadOnlyList<PublishedDevice> DevicesOn(string node) => [.. Devices.Where(device => device.Node == node)];

    public static bool IsAccelerator(PublishedDevice device) =>
        device.Attribute("driverVersion") is not null || AcceleratorTypes.Contains(device.Text("type")) ||
        AcceleratorDriverPrefixes.Any(prefix => device.Driver.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Every kind on the Ready nodes the configured node selector allows, DRA first.</summary>
    public static IReadOnlyList<AcceleratorKind> All(AcceleratorInventory inventory, AcceleratorSettings settings)
    {
        var kinds = new List<AcceleratorKind>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deviceClass in inventory.DeviceClasses.OrderBy(deviceClass => inventory.DevicesOf(deviceClass).Count).ThenBy(deviceClass => deviceClass.Name, StringComparer.Ordinal))
        {
            if (AcceleratorDetection.FromClass(deviceClass, inventory, settings, "detected") is not { } accelerator) continue;
            // A broad class (every device of a driver) counts only for what no narrower class covered.
            var uncovered = accelerator.Devices.Where(device => IsAccelerator(device) && !covered.Contains(device.Key)).ToList();
            if (uncovered.Count == 0) continue;
            covered.UnionWith(uncovered.Select(device => device.Key));
            var passthrough = deviceClass.Name.Contains("vfio", StringComparison.OrdinalIgnoreCase) || uncovered.Any(device => device.Text("type") == "vfio");
            kinds.Add(new AcceleratorKind($"DRA DeviceClass {deviceClass.Name}", accelerator, NodesOf(uncovered), uncovered, passthrough));
        }
        foreach (var driver in inventory.Devices.Where(device => IsAccelerator(device) && !covered.Contains(device.Key) && device.Node is not null &&
                                                                 AcceleratorDetection.MatchesSelector(inventory, device.Node, settings.NodeSelector))
                     .GroupBy(device => device.Driver))
        {
            var devices = driver.ToList();
            kinds.Add(new AcceleratorKind($"DRA driver {driver.Key} (devices no DeviceClass selects)", null, NodesOf(devices), devices,
                devices.Any(device => device.Text("type") == "vfio")));
        }
        var resources = inventory.AcceleratorResources.ToList();
        if (settings.ExtendedResource is { } configured && !resources.Contains(configured)) resources.Add(configured);
        foreach (var resource in resources)
        {
            if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } accelerator) continue;
            kinds.Add(new AcceleratorKind($"device-plugin resource {resource}", accelerator, accelerator.Nodes, [],
                resource.Contains("vfio", StringComparison.OrdinalIgnoreCase)));
        }
        return kinds;
    }

    private static List<string> NodesOf(IEnumerable<PublishedDevice> devices) =>
        [.. devices.Select(device => device.Node).OfType<string>().Distinct().Order(StringComparer.Ordinal)];
}
