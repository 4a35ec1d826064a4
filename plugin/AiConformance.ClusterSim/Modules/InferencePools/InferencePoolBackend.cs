using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gateways;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>
/// InferencePool backendRefs in the gateway's data plane: a pool in the route's namespace resolves (one that does not
/// exist is BackendNotFound); per request the gateway asks the pool's endpoint picker (its <c>endpointPickerRef</c>
/// Service and port, over the pod network) and sends the request to the endpoint it names. A picker that cannot be
/// reached (no such Service, no ready pod behind it) leaves the pool's failure mode to decide: FailOpen sends the
/// request to a ready member of the pool at random, FailClose answers 503. A picker that finds no endpoint: 503.
/// </summary>
public sealed class InferencePoolBackend(SimulatedCluster cluster, IInferenceFault fault) : IBackendExtension
{
    public bool Handles(JsonObject backendRef) =>
        (string?)backendRef["group"] == InferencePoolKinds.Group && (string?)backendRef["kind"] == "InferencePool";

    public ResolvedBackend Resolve(JsonObject route, JsonObject backendRef, IClusterStore store)
    {
        var ns = (string?)backendRef["namespace"] ?? route.Namespace();
        var name = (string?)backendRef["name"] ?? "";
        if (ns != route.Namespace())
            return new(null, 0, "RefNotPermitted", $"backendRef to InferencePool {ns}/{name} is not permitted by any ReferenceGrant");
        return store.Get(InferencePoolKinds.InferencePool, ns, name) is null
            ? new(null, 0, "BackendNotFound", $"InferencePool {ns}/{name} not found")
            : new(name, 0, null, null);
    }

    public int Weight(JsonObject backendRef) => fault.HonoursPoolWeights ? BackendRefs.Weight(backendRef) : 1;

    public async Task<PickedEndpoint> PickAsync(JsonObject route, JsonObject backendRef, IReadOnlyDictionary<string, string> headers, HttpClient client,
        CancellationToken cancellationToken)
    {
        var pool = cluster.Store.Get(InferencePoolKinds.InferencePool, route.Namespace(), (string?)backendRef["name"] ?? "");
        if (pool is null) return PickedEndpoint.Refused(500, "InferencePool not found");
        var port = InferencePoolKinds.TargetPort(pool);
        var picked = await AskPickerAsync(pool, headers, client, cancellationToken);
        if (picked is { Host: null, Status: 0 })
        {
            if (!InferencePoolKinds.FailsOpen(pool) && !fault.AlwaysFailsOpen)
                return PickedEndpoint.Refused(503, "endpoint picker unavailable (failureMode FailClose)");
            return AnyMember(pool, port) ?? PickedEndpoint.Refused(503, "no ready endpoint in the pool");
        }
        if (picked.Host is not null && !fault.FollowsPicker) return AnyMember(pool, port) ?? picked;
        return picked;
    }

    /// <summary>The picker's answer; Host and Status both unset when the picker could not be reached.</summary>
    private static async Task<PickedEndpoint> AskPickerAsync(JsonObject pool, IReadOnlyDictionary<string, string> headers, HttpClient client,
        CancellationToken cancellationToken)
    {
        var picker = InferencePoolKinds.PickerRef(pool);
        if (picker is null || ((string?)picker["kind"] ?? "Service") != "Service") return new(null, 0, 0, "no endpoint picker");
        var url = $"http://{(string?)picker["name"]}.{pool.Namespace()}.svc.cluster.local:{JsonNumber.Int(picker["port"]?["number"])}/envoy.service.ext_proc.v3.ExternalProcessor/Process";
        try
        {
            using var answer = await client.PostAsJsonAsync(url, headers, cancellationToken);
            if (!answer.IsSuccessStatusCode) return PickedEndpoint.Refused(503, await answer.Content.ReadAsStringAsync(cancellationToken));
            var destination = answer.Headers.TryGetValues(EndpointPickerProgram.DestinationHeader, out var values) ? values.First() : "";
            var separator = destination.LastIndexOf(':');
            return separator > 0 && int.TryParse(destination[(separator + 1)..], out var port)
                ? PickedEndpoint.At(destination[..separator], port)
                : PickedEndpoint.Refused(503, $"the endpoint picker answered no {EndpointPickerProgram.DestinationHeader}");
        }
        catch (HttpRequestException)
        {
            return new(null, 0, 0, "endpoint picker unreachable");
        }
    }

    private PickedEndpoint? AnyMember(JsonObject pool, int port)
    {
        var members = InferencePoolKinds.ReadyMembers(pool, cluster.Store);
        return members.Count == 0 ? null : PickedEndpoint.At(members[Random.Shared.Next(members.Count)].PodIp()!, port);
    }
}
