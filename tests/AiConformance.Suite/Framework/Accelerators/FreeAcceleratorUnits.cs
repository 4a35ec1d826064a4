using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The units of the detected accelerator that nothing holds, counted from what the cluster shows: for DRA, its devices
/// not named by any claim's allocation; for a device plugin, each node's allocatable units less what the pods bound
/// there and not ended request. Pods and claims of <c>exceptNamespace</c> (the test's own) do not count as holding.
/// </summary>
public sealed record FreeAcceleratorUnits(int Units, int Total, string Described)
{
    /// <summary>The free units of each node.</summary>
    public IReadOnlyDictionary<string, int> ByNode { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The free units of <paramref name="node"/>.</summary>
    public int On(string node) => ByNode.GetValueOrDefault(node);

    public static FreeAcceleratorUnits Count(DetectedAccelerator accelerator, IEnumerable<Resourcev1ResourceClaim> claims, IEnumerable<V1Pod> pods,
        string? exceptNamespace = null) =>
        accelerator.Path == AcceleratorPath.Dra ? OfDevices(accelerator, claims.Where(claim => claim.Metadata.NamespaceProperty != exceptNamespace))
            : OfExtendedResource(accelerator, pods.Where(pod => pod.Metadata.NamespaceProperty != exceptNamespace));

    /// <summary>The units nothing but the test's own pods and claims hold, read from the cluster now.</summary>
    public static async Task<FreeAcceleratorUnits> CountAsync(TestNamespace ns, DetectedAccelerator accelerator)
    {
        if (accelerator.Path == AcceleratorPath.Dra)
        {
            var claims = await ns.Kubernetes.ResourceV1.ListResourceClaimForAllNamespacesAsync(cancellationToken: ns.Cancellation);
            return Count(accelerator, claims.Items, [], ns.Name);
        }
        var pods = await ns.Kubernetes.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ns.Cancellation);
        return Count(accelerator, [], pods.Items, ns.Name);
    }

    private static FreeAcceleratorUnits OfDevices(DetectedAccelerator accelerator, IEnumerable<Resourcev1ResourceClaim> claims)
    {
        var allocated = claims.SelectMany(claim => claim.Allocated()).Select(result => $"{result.Driver}/{result.Pool}/{result.Device}").ToHashSet(StringComparer.Ordinal);
        var byNode = accelerator.Devices.GroupBy(device => device.Node ?? "(any node)")
            .Select(node => (Node: node.Key, Total: node.Count(), Free: node.Count(device => !allocated.Contains(device.Key))))
            .OrderBy(node => node.Node, StringComparer.Ordinal).ToList();
        return new(byNode.Sum(node => node.Free), byNode.Sum(node => node.Total),
            $"{accelerator.DeviceClass} devices free (not allocated to any claim): " + string.Join(", ", byNode.Select(node => $"{node.Node} {node.Free}/{node.Total}")))
        { ByNode = byNode.ToDictionary(node => node.Node, node => node.Free, StringComparer.Ordinal) };
    }

    private static FreeAcceleratorUnits OfExtendedResource(DetectedAccelerator accelerator, IEnumerable<V1Pod> pods)
    {
        var resource = accelerator.ExtendedResource!;
        var requested = pods.Where(pod => !string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Status?.Phase is not ("Succeeded" or "Failed"))
            .GroupBy(pod => pod.Spec.NodeName).ToDictionary(node => node.Key, node => node.Sum(pod => Requested(pod, resource)), StringComparer.Ordinal);
        var byNode = accelerator.CapacityByNode.OrderBy(node => node.Key, StringComparer.Ordinal)
            .Select(node => (Node: node.Key, Total: node.Value, Free: Math.Max(0, node.Value - requested.GetValueOrDefault(node.Key)))).ToList();
        return new(byNode.Sum(node => node.Free), byNode.Sum(node => node.Total),
            $"{resource} units free (allocatable less what running pods request): " + string.Join(", ", byNode.Select(node => $"{node.Node} {node.Free}/{node.Total}")))
        { ByNode = byNode.ToDictionary(node => node.Node, node => node.Free, StringComparer.Ordinal) };
    }

    /// <summary>The units of <paramref name="resource"/> a pod holds: its containers' requests (limits where no request).</summary>
    private static int Requested(V1Pod pod, string resource) =>
        pod.Spec.Containers.Sum(container =>
            (container.Resources?.Requests?.TryGetValue(resource, out var request) == true ? request
                : container.Resources?.Limits?.TryGetValue(resource, out var limit) == true ? limit : null) is { } quantity ? (int)quantity.ToDecimal() : 0);
}
