using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours.Controllers;

/// <summary>How a broken EndpointSlice controller misbehaves; the default member is a working one's.</summary>
public interface IEndpointSliceFault
{
    /// <summary>The endpoints it writes, given those a working controller would write and the slice as it stands.</summary>
    JsonArray Endpoints(JsonArray computed, JsonObject? existing) => computed;
}

/// <summary>The named faults of the <c>endpointslice-controller</c> component (<c>fault:</c> option).</summary>
public static class EndpointSliceFaults
{
    public static readonly IEndpointSliceFault None = new Working();

    public static readonly FaultCatalog<IEndpointSliceFault> Catalog = new("an endpointslice-controller fault", new Dictionary<string, Func<IEndpointSliceFault>>
    {
        ["misses-pod-deletions"] = () => new MissesPodDeletions(),
    });

    private sealed class Working : IEndpointSliceFault;

    /// <summary>
    /// The controller never sees pods being deleted: an endpoint it listed keeps its last conditions (ready) after its
    /// pod started terminating and after it is gone, so Services go on sending connections to pods that are no more.
    /// </summary>
    private sealed class MissesPodDeletions : IEndpointSliceFault
    {
        public JsonArray Endpoints(JsonArray computed, JsonObject? existing)
        {
            var listed = (existing?["endpoints"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(Address, StringComparer.Ordinal);
            var result = new JsonArray();
            foreach (var endpoint in computed.OfType<JsonObject>())
            {
                var terminating = (bool?)endpoint["conditions"]?["terminating"] == true;
                result.Add(terminating && listed.TryGetValue(Address(endpoint), out var before) ? before.DeepClone() : endpoint.DeepClone());
            }
            var current = computed.OfType<JsonObject>().Select(Address).ToHashSet(StringComparer.Ordinal);
            foreach (var (address, stale) in listed.Where(entry => !current.Contains(entry.Key))) result.Add(stale.DeepClone());
            return result;
        }

        private static string Address(JsonObject endpoint) => (string?)(endpoint["addresses"] as JsonArray)?[0] ?? "";
    }
}

/// <summary>The options of the <c>endpointslice-controller</c> component: only, for broken scenarios, its fault.</summary>
public sealed record EndpointSliceControllerOptions(IEndpointSliceFault Fault) : IComponentOptions<EndpointSliceControllerOptions>
{
    public static EndpointSliceControllerOptions Read(ComponentOptionReader options) =>
        new(options.Fault(EndpointSliceFaults.Catalog, EndpointSliceFaults.None));
}
