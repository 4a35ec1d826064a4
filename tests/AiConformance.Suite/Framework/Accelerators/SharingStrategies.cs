namespace AiConformance.Suite.Framework;

/// <summary>A way the cluster shares GPUs, with where to prove it and how pods ask for one unit.</summary>
public sealed record SharingStrategy(
    string Name, string Description, string Node, int Pods, DetectedAccelerator Units, bool Partitioned, AcceleratorInventory Inventory) : IDetected
{
    public string Summary => $"{Description} on {Node}: {Units.Summary}";
}

/// <summary>
/// The detector of GPU sharing strategies: hardware partitioning (MIG, through DRA or the device plugin), and
/// time-slicing or MPS of a device-plugin resource, as the vendors' feature discovery labels them.
/// </summary>
public static class SharingStrategies
{
    /// <summary>One strategy per mechanism found (MIG through DRA, MIG through the device plugin, time-slicing or MPS).</summary>
    public static async Task<Detection<SharingStrategy>> DetectAsync(RunContext run)
    {
        var settings = AcceleratorSettings.From(run.Configuration);
        var inventory = await AcceleratorInventory.ReadAsync(run);
        var strategies = new List<SharingStrategy>();
        var lookedFor = new List<string>();

        lookedFor.Add("DRA DeviceClasses of MIG devices (attribute type=mig)");
        foreach (var deviceClass in inventory.DeviceClasses)
        {
            var slices = inventory.DevicesOf(deviceClass).Where(device => device.Text("type") == "mig").ToList();
            var node = slices.Where(device => device.Node is not null).GroupBy(device => device.Node!)
                .Where(group => group.Count() >= 2).OrderByDescending(group => group.Count()).Select(group => group.Key).FirstOrDefault();
            if (node is null || AcceleratorDetection.FromClass(deviceClass, inventory, settings, "detected") is not { } units) continue;
            strategies.Add(new SharingStrategy("MigThroughDra", $"MIG through DRA DeviceClass {deviceClass.Name}", node, 2, units, Partitioned: true, inventory));
            break;
        }

        lookedFor.Add("device-plugin MIG resources (nvidia.com/mig-*) on nodes that do not also time-slice them");
        foreach (var resource in inventory.AcceleratorResources.Where(name => name.StartsWith("nvidia.com/mig-", StringComparison.Ordinal)))
        {
            if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } units) continue;
            // A time-sliced MIG slice may go to two pods: distinct slices per pod would not hold.
            var node = NodeUnits.Of(units, inventory).Where(node => !node.Shared && node.Units >= 2).Select(node => node.Node).FirstOrDefault();
            if (node is null) continue;
            strategies.Add(new SharingStrategy("MigThroughDevicePlugin", $"MIG through device-plugin resource {resource}", node, 2, units, Partitioned: true, inventory));
            break;
        }

        lookedFor.Add("time-slicing or MPS of a device-plugin resource (feature-discovery labels <resource>.replicas above 1, <resource>.sharing-strategy, " +
                            "a <resource>.product ending in -SHARED, or a renamed <resource>.shared), with more units than physical GPUs on one node");
        foreach (var resource in inventory.AcceleratorResources)
        {
            if (AcceleratorDetection.FromExtendedResource(resource, inventory, settings, "detected") is not { } units) continue;
            // One pod more than there are physical GPUs: at least two must share one.
            if (NodeUnits.Of(units, inventory).FirstOrDefault(node => node.Shared && node.Units >= node.PhysicalDevices + 1) is not { } shared) continue;
            // Only this node's units: another node's whole GPUs under the same name would prove nothing.
            units = units with { CapacityByNode = new Dictionary<string, int> { [shared.Node] = shared.Units } };
            strategies.Add(new SharingStrategy("SharedDevicePluginUnits", $"sharing of {resource} ({shared.SharedBecause}; {shared.PhysicalDevices} physical)", shared.Node,
                shared.PhysicalDevices + 1, units, Partitioned: false, inventory));
            break;
        }

        var partitions = inventory.Devices.Where(device => device.ConsumesCounters && device.Text("type") != "mig").ToList();
        lookedFor.Add("DRA partitionable devices (devices that consume a shared counter set)" + Unproven(partitions));
        var multiple = inventory.Devices.Where(device => device.AllowMultipleAllocations).ToList();
        lookedFor.Add("DRA devices that allow multiple allocations" + Unproven(multiple));
        return new Detection<SharingStrategy>(strategies, lookedFor);
    }

    /// <summary>Mechanisms found that the suite cannot prove yet, said where it says what it looked for.</summary>
    private static string Unproven(List<PublishedDevice> devices) => devices.Count == 0 ? "" :
        $" (found {devices.Count}, which the suite cannot prove yet: {string.Join(", ", devices.Take(4).Select(device => device.Key))}{(devices.Count > 4 ? ", ..." : "")})";
}
