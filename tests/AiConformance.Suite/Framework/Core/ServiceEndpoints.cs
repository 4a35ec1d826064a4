using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>Whether Services have somewhere to send what reaches them.</summary>
public static class ServiceEndpoints
{
    /// <summary>
    /// Returns once the EndpointSlices of each Service of <paramref name="namespace"/> list a ready endpoint: a pod can
    /// be Ready before its Service's EndpointSlice says so, and a request sent meanwhile would find no endpoint.
    /// </summary>
    public static async Task WaitReadyAsync(IKubernetes kubernetes, string @namespace, TimeSpan within, CancellationToken cancellationToken,
        params string[] services) =>
        await Wait.For(new ClusterObjects<V1EndpointSlice>(kubernetes, @namespace).Watchable(labelSelector: $"kubernetes.io/service-name in ({string.Join(",", services)})"))
            .Until($"the EndpointSlices of {string.Join(", ", services)} to list a ready endpoint", slices =>
                services.All(service => slices.Any(slice => slice.Metadata.Labels?["kubernetes.io/service-name"] == service
                    && slice.Endpoints?.Any(e => e.Conditions?.Ready == true) == true)))
            .DescribedBy(slices => slices.Count == 0 ? "no EndpointSlice" : string.Join("; ", slices.Select(slice =>
                $"{slice.Metadata.Name}: {slice.Endpoints?.Count(e => e.Conditions?.Ready == true) ?? 0} ready endpoint(s)")))
            .Within(within)
            .Async(cancellationToken);
}
