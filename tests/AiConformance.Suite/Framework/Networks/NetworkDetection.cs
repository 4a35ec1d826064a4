using k8s;
namespace AiConformance.Suite.Framework.Networks;

/// <summary>
/// Finds how the cluster exposes specialized network interfaces: DRA drivers whose published devices carry an
/// interface name (DRANET-style), each with a DeviceClass that selects them (one test case per driver), and, reported
/// only, Multus (the NetworkAttachmentDefinition CRD), whose secondary networks are not DRA resources and so cannot be
/// claimed or selected by attribute. Configuration: <c>network.deviceClass</c> names the DeviceClass to claim
/// interfaces through (only its driver is then tested).
/// </summary>
public static class NetworkDetection
{
    public const string DeviceClassKey = "network.deviceClass";

    public const string MultusCrd = "network-attachment-definitions.k8s.cni.cncf.io";

    public static readonly DetectedCases<DetectedNetwork> Cases = new(DetectAsync);

    private static async Task<bool> MultusInstalledAsync(RunContext run)
    {
        var crds = await run.Kubernetes.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: run.Cancellation);
        return crds.Items.Any(crd => crd.Metadata.Name == MultusCrd);
    }

    private static async Task<Detection<DetectedNetwork>> DetectAsync(RunContext run)
    {
        var detection = Detect(await AcceleratorInventory.ReadAsync(run), run.Configuration.Get(DeviceClassKey));
        var multus = await MultusInstalledAsync(run);
        return detection with
        {
            LookedFor = [.. detection.LookedFor, $"Multus ({MultusCrd}: {(multus ? "installed; its secondary networks are not DRA resources, so they cannot be claimed or selected by attribute" : "not installed")})"],
        };
    }

    /// <summary>
    /// The driver's interfaces as published now, through the DeviceClass found when the suite was loaded: an autoscaler
    /// may have removed a node (and its interfaces) or added one since, and a pod claiming an interface of a node that
    /// is gone would wait in vain. None published now: the same driver and class with no devices.
    /// </summary>
    public static async Task<DetectedNetwork> CurrentAsync(RunContext run, DetectedNetwork found)
    {
        var now = Detect(await AcceleratorInventory.ReadAsync(run), found.DeviceClass).Found.FirstOrDefault(network => network.Driver == found.Driver);
        var current = found with { Devices = now?.Devices ?? [] };
        var gone = found.Devices.Select(device => device.Key).Except(current.Devices.Select(device => device.Key)).ToList();
        if (gone.Count > 0)
            Evidence.Observed("interfaces no longer published", $"{string.Join(", ", gone)} (published when the run began; their node left or was replaced)");
        return current;
    }

    public static Detection<DetectedNetwork> Detect(AcceleratorInventory inventory, string? configuredClass)
    {
        var lookedFor = new List<string>();
        if (!inventory.DraServed)
        {
            lookedFor.Add("DRA network devices (resource.k8s.io/v1 is not served)");
            return new Detection<DetectedNetwork>([], lookedFor);
        }
        var interfaces = inventory.Devices.Where(NicAttributes.IsNetworkInterface).ToList();
        lookedFor.Add($"ResourceSlice devices with an interface-name attribute ({string.Join(", ", NicAttributes.InterfaceNames)}): " +
                      $"{interfaces.Count} of {inventory.Devices.Count} usable devices");
        var classes = configuredClass is null
            ? inventory.DeviceClasses
            : [.. inventory.DeviceClasses.Where(deviceClass => deviceClass.Name == configuredClass)];
        if (configuredClass is not null)
            lookedFor.Add($"the configured DeviceClass {configuredClass} ({(classes.Count == 0 ? "not found" : "found")})");

        var found = new List<DetectedNetwork>();
        foreach (var driver in interfaces.GroupBy(device => device.Driver).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            // The class that selects the most of the driver's interfaces and nothing else (a class for all the
            // driver's devices beats one for a subset).
            var deviceClass = classes
                .Select(candidate => (Class: candidate, Selected: inventory.DevicesOf(candidate)))
                .Where(candidate => candidate.Selected.Count > 0 && candidate.Selected.All(device => device.Driver == driver.Key && NicAttributes.IsNetworkInterface(device)))
                .OrderByDescending(candidate => candidate.Selected.Count).ThenBy(candidate => candidate.Class.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (deviceClass.Class is null)
            {
                lookedFor.Add($"(driver {driver.Key} publishes {driver.Count()} interfaces but no DeviceClass selects them)");
                continue;
            }
            found.Add(new DetectedNetwork(driver.Key, deviceClass.Class.Name, deviceClass.Selected, configuredClass is null ? "detected" : "configured"));
        }
        return new Detection<DetectedNetwork>(found, lookedFor);
    }
}
