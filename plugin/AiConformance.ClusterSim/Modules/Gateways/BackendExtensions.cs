using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>Where the data plane sends one request for a backendRef of an extension's kind: an address, or a status to answer with.</summary>
public sealed record PickedEndpoint(string? Host, int Port, int Status, string Message)
{
    public static PickedEndpoint At(string host, int port) => new(host, port, 0, "");

    public static PickedEndpoint Refused(int status, string message) => new(null, 0, status, message);
}

/// <summary>
/// A backendRef kind other than Service that an extension of the gateway implementation routes to (the inference
/// extension's InferencePool): it resolves references for the route's ResolvedRefs and picks the endpoint per request.
/// </summary>
public interface IBackendExtension
{
    bool Handles(JsonObject backendRef);

    ResolvedBackend Resolve(JsonObject route, JsonObject backendRef, IClusterStore store);

    /// <summary>The weight the data plane draws this backend by (its backendRef's, unless the extension is broken).</summary>
    int Weight(JsonObject backendRef) => BackendRefs.Weight(backendRef);

    /// <summary>The endpoint for a request with <paramref name="headers"/>, asked over the gateway's own <paramref name="client"/> (on the pod network).</summary>
    Task<PickedEndpoint> PickAsync(JsonObject route, JsonObject backendRef, IReadOnlyDictionary<string, string> headers, HttpClient client,
        CancellationToken cancellationToken);
}

/// <summary>The backend extensions installed in the gateway implementation of one simulated cluster.</summary>
public sealed class BackendExtensions
{
    private readonly ConcurrentDictionary<string, IBackendExtension> byName = new(StringComparer.Ordinal);

    public void Install(string name, IBackendExtension extension) => byName[name] = extension;

    public IBackendExtension? For(JsonObject backendRef) => byName.Values.FirstOrDefault(extension => extension.Handles(backendRef));

    /// <summary>The weight of each backendRef, as its extension (if any) draws it.</summary>
    public IReadOnlyList<int> Weights(IEnumerable<JsonObject> backendRefs) =>
        [.. backendRefs.Select(backendRef => For(backendRef)?.Weight(backendRef) ?? BackendRefs.Weight(backendRef))];
}
