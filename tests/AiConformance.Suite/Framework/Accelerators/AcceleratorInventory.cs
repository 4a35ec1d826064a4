using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// What the cluster offers in accelerators, read once per detection: Ready nodes, DeviceClasses and the devices of
/// ResourceSlices that can really be allocated (newest generation of each pool, complete pools only, untainted
/// devices, on Ready nodes), and the nodes' extended resources. <see cref="Notes"/> says what was left out and why.
/// </summary>
public sealed class AcceleratorInventory
{
    /// <summary>Extended resources of the device plugins of common accelerators.</summary>
    public static readonly IReadOnlyList<string> KnownExtendedResources =
    [
        "nvidia.com/gpu", "amd.com/gpu", "google.com/tpu", "aws.amazon.com/neuron", "aws.amazon.com/neuroncore",
        "aws.amazon.com/neurondevice", "gpu.intel.com/i915", "gpu.intel.com/xe", "habana.ai/gaudi",
    ];

    public bool DraServed { get; private init; }

    public IReadOnlyList<V1Node> ReadyNodes { get; private init; } = [];

    public IReadOnlyList<DeviceClassSelector> DeviceClasses { get; private init; } = [];

    public IReadOnlyList<PublishedDevice> Devices { get; private init; } = [];

    public IReadOnlyList<string> Notes { get; private init; } = [];

    public IReadOnlyList<PublishedDevice> DevicesOf(DeviceClassSelector deviceClass) =>
        [.. Devices.Where(device => device.Driver == (deviceClass.Driver ?? device.Driver) && deviceClass.Selects(device))];

    public DeviceClassSelector? DeviceClass(string name) => DeviceClasses.FirstOrDefault(deviceClass => deviceClass.Name == name);

    /// <summary>Allocatable amount of an extended resource per Ready node (nodes without it left out).</summary>
    public IReadOnlyDictionary<string, int> Allocatable(string resource) => ReadyNodes
        .Select(node => (node.Metadata.Name, Amount: node.Status?.Allocatable is { } allocatable && allocatable.TryGetValue(resource, out var quantity) ? (int)quantity.ToInt64() : 0))
        .Where(entry => entry.Amount > 0)
        .ToDictionary(entry => entry.Name, entry => entry.Amount);

    /// <summary>Every extended resource (a name with a domain) some Ready node has.</summary>
    public IReadOnlyList<string> ExtendedResources => [.. ReadyNodes
        .SelectMany(node => node.Status?.Allocatable?.Keys ?? [])
        .Where(name => name.Contains('/') && !name.StartsWith("hugepages-", StringComparison.Ordinal) && !name.StartsWith("kubernetes.io/", StringComparison.Ordinal))
        .Distinct().Order(StringComparer.Ordinal)];

    /// <summary>
    /// The extended resources of accelerator device plugins on Ready nodes: the known ones, their renamed shared forms
    /// (<c>nvidia.com/gpu.shared</c>), MIG resources (<c>nvidia.com/mig-1g.10gb</c>) and passthrough or vGPU resources
    /// (names with vfio or vgpu); not those a DeviceClass maps through extendedResourceName (DRA serves them).
    /// </summary>
    public IReadOnlyList<string> AcceleratorResources
    {
        get
        {
            var mapped = MappedByDra;
            return [.. ExtendedResources.Where(name => !mapped.Contains(name) && IsAcceleratorResource(name))];
        }
    }

    /// <summary>Extended resources DeviceClasses map through extendedResourceName: the scheduler serves them through DRA.</summary>
    public IReadOnlySet<string> MappedByDra => DeviceClasses.Select(deviceClass => deviceClass.ExtendedResourceName).OfType<string>().ToHashSet();

    private static bool IsAcceleratorResource(string name) =>
        KnownExtendedResources.Contains(name) || KnownExtendedResources.Any(known => name == known + ".shared") ||
        name.StartsWith("nvidia.com/mig-", StringComparison.Ordinal) ||
        name.Contains("vfio", StringComparison.OrdinalIgnoreCase) || name.Contains("vgpu", StringComparison.OrdinalIgnoreCase);

    public V1Node? Node(string name) => ReadyNodes.FirstOrDefault(node => node.Metadata.Name == name);

    public static async Task<AcceleratorInventory> ReadAsync(RunContext run)
    {
        var kubernetes = run.Kubernetes;
        var token = run.Cancellation;
        var nodes = (await kubernetes.CoreV1.ListNodeAsync(cancellationToken: token)).Items;
        var keptFree = run.NodesKeptFree.Nodes;
        try
        {
            var classes = (await kubernetes.ResourceV1.ListDeviceClassAsync(cancellationToken: token)).Items;
            var slices = (await kubernetes.ResourceV1.ListResourceSliceAsync(cancellationToken: token)).Items;
            return From(nodes, classes, slices, keptFree);
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return From(nodes, null, null, keptFree);
        }
    }

    /// <summary>
    /// The inventory of these objects; null classes and slices mean resource.k8s.io/v1 is not served. Nodes in
    /// <paramref name="keptFree"/> (another test keeps them free) are left out, as nodes that are not Ready are.
    /// </summary>
    public static AcceleratorInventory From(IList<V1Node> nodes, IList<V1DeviceClass>? classes, IList<V1ResourceSlice>? slices, IReadOnlySet<string>? keptFree = null)
    {
        var notes = new List<string>();
        var ready = nodes.Where(node => IsReady(node) && keptFree?.Contains(node.Metadata.Name) != true).ToList();
        foreach (var node in nodes.Except(ready))
            notes.Add(keptFree?.Contains(node.Metadata.Name) == true
                ? $"node {node.Metadata.Name} is kept free for another test"
                : $"node {node.Metadata.Name} is not Ready or not schedulable");
        if (classes is null || slices is null)
        {
            notes.Add("resource.k8s.io/v1 is not served");
            return new AcceleratorInventory { ReadyNodes = ready, Notes = notes };
        }
        var readyNames = ready.Select(node => node.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        return new AcceleratorInventory
        {
            DraServed = true,
            ReadyNodes = ready,
            DeviceClasses = [.. classes.Select(deviceClass => new DeviceClassSelector(deviceClass))],
            Devices = UsableDevices(slices, readyNames, notes),
            Notes = notes,
        };
    }

    private static List<PublishedDevice> UsableDevices(IList<V1ResourceSlice> slices, HashSet<string> readyNodes, List<string> notes)
    {
        var devices = new List<PublishedDevice>();
        foreach (var pool in slices.GroupBy(slice => (slice.Spec.Driver, slice.Spec.Pool.Name)))
        {
            var newest = pool.Max(slice => slice.Spec.Pool.Generation);
            var current = pool.Where(slice => slice.Spec.Pool.Generation == newest).ToList();
            var expected = current[0].Spec.Pool.ResourceSliceCount;
            if (current.Count < expected)
            {
                notes.Add($"pool {pool.Key.Driver}/{pool.Key.Name} generation {newest} is incomplete ({current.Count} of {expected} slices)");
                continue;
            }
            foreach (var slice in current)
            foreach (var device in slice.Spec.Devices ?? [])
            {
                var node = slice.Spec.NodeName ?? device.NodeName;
                var key = $"{pool.Key.Driver}/{pool.Key.Name}/{device.Name}";
                if (device.Taints?.Any(taint => taint.Effect is "NoSchedule" or "NoExecute") == true)
                {
                    notes.Add($"device {key} is tainted");
                    continue;
                }
                if (node is not null && !readyNodes.Contains(node))
                {
                    notes.Add($"device {key} is on node {node}, which is left out (see above)");
                    continue;
                }
                devices.Add(new PublishedDevice(pool.Key.Driver, pool.Key.Name, device.Name, node,
                    device.Attributes?.ToDictionary() ?? [], device.Capacity?.ToDictionary() ?? [],
                    device.AllowMultipleAllocations == true, device.ConsumesCounters?.Count > 0));
            }
        }
        return devices;
    }

    private static bool IsReady(V1Node node) =>
        node.Spec?.Unschedulable != true &&
        node.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;
}
