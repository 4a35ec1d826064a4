using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>A route's backendRef resolved to a Service port, or the ResolvedRefs reason it cannot be.</summary>
public sealed record ResolvedBackend(string? Host, int Port, string? Reason, string? Message)
{
    public bool Resolved => Reason is null;
}

/// <summary>
/// Resolves backendRefs as a gateway does: the default kind is a core Service in the route's namespace; another
/// namespace needs a ReferenceGrant (not modelled: refused as RefNotPermitted); a kind an installed extension handles
/// (<see cref="BackendExtensions"/>) is resolved by it; another kind is InvalidKind; a Service that does not exist is
/// BackendNotFound.
/// </summary>
public static class BackendRefs
{
    public static IEnumerable<JsonObject> Of(JsonObject rule) => (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>A backendRef's weight (1 when unset, as the API defaults it).</summary>
    public static int Weight(JsonObject backendRef) => JsonNumber.Int(backendRef["weight"]) ?? 1;

    public static ResolvedBackend Resolve(JsonObject route, JsonObject backendRef, IClusterStore store, BackendExtensions extensions)
    {
        if (extensions.For(backendRef) is { } extension) return extension.Resolve(route, backendRef, store);
        var group = (string?)backendRef["group"] ?? "";
        var kind = (string?)backendRef["kind"] ?? "Service";
        var name = (string?)backendRef["name"] ?? "";
        var ns = (string?)backendRef["namespace"] ?? route.Namespace();
        if (group != "" || kind != "Service")
            return new(null, 0, "InvalidKind", $"backendRef {group}/{kind} {name} is not a kind this gateway supports");
        if (ns != route.Namespace())
            return new(null, 0, "RefNotPermitted", $"backendRef to Service {ns}/{name} is not permitted by any ReferenceGrant");
        if (store.Get(Kinds.Service, ns, name) is null)
            return new(null, 0, "BackendNotFound", $"Service {ns}/{name} not found");
        return new($"{name}.{ns}.svc.cluster.local", JsonNumber.Int(backendRef["port"]) ?? 0, null, null);
    }
}
