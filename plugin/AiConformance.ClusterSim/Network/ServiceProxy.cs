using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Network;

/// <summary>
/// kube-proxy: a connection to a Service's ClusterIP (or to a node's node port) goes to one endpoint of its
/// EndpointSlices, chosen at random among the ready ones (as its iptables rules do), on the endpoint's target port.
/// It honours <c>internalTrafficPolicy: Local</c> (only endpoints on the client's node), <c>sessionAffinity: ClientIP</c>
/// (a client keeps its endpoint while it stays usable, for the affinity timeout), and falls back to endpoints that are
/// serving but terminating when none is ready. Without any endpoint the connection is rejected.
/// </summary>
public sealed class ServiceProxy(IClusterStore store)
{
    private readonly Dictionary<(string Service, string Client), (string Address, DateTime Until)> affinity = [];
    private readonly Lock gate = new();

    /// <summary>The endpoint a connection goes to; a null address when there is none (the connection is rejected).</summary>
    public sealed record Backend(string? Address, int Port);

    /// <summary>The Service owning a ClusterIP, or null when the address is no Service's.</summary>
    public JsonObject? ServiceWithClusterIp(string address) =>
        store.List(Kinds.Service).FirstOrDefault(s => (s["spec"]?["clusterIPs"] as JsonArray ?? []).Any(ip => (string?)ip == address));

    /// <summary>The Service with a node port, for a connection to a node's address.</summary>
    public (JsonObject Service, JsonObject Port)? ServiceWithNodePort(int nodePort) =>
        store.List(Kinds.Service).SelectMany(s => (s["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p => (s, p)))
            .Where(pair => JsonNumber.Int(pair.p["nodePort"]) == nodePort).Select(pair => ((JsonObject, JsonObject)?)pair).FirstOrDefault();

    public Backend Choose(JsonObject service, int servicePort, PodSandbox? client)
    {
        var port = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => JsonNumber.Int(p["port"]) == servicePort);
        return port is null ? new Backend(null, 0) : Choose(service, port, client);
    }

    public Backend Choose(JsonObject service, JsonObject servicePort, PodSandbox? client)
    {
        var portName = (string?)servicePort["name"] ?? "";
        var endpoints = Endpoints(service, portName);
        if ((string?)service["spec"]?["internalTrafficPolicy"] == "Local" && client is not null)
            endpoints = [.. endpoints.Where(e => e.Node == client.Node)];
        var usable = endpoints.Where(e => e.Ready).ToList();
        if (usable.Count == 0) usable = [.. endpoints.Where(e => e.Serving && e.Terminating)];
        if (usable.Count == 0) return new Backend(null, 0);
        var chosen = Sticky(service, client, usable) ?? usable[Random.Shared.Next(usable.Count)];
        Remember(service, client, chosen);
        return new Backend(chosen.Address, chosen.Port);
    }

    private sealed record Endpoint(string Address, int Port, string? Node, bool Ready, bool Serving, bool Terminating);

    /// <summary>The endpoints of the Service's slices that carry the named port.</summary>
    private List<Endpoint> Endpoints(JsonObject service, string portName)
    {
        var slices = store.List(Kinds.EndpointSlice, service.Namespace(), s => s.Label("kubernetes.io/service-name") == service.Name());
        var endpoints = new List<Endpoint>();
        foreach (var slice in slices)
        {
            var port = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => ((string?)p["name"] ?? "") == portName);
            if (port is null || JsonNumber.Int(port["port"]) is not { } number) continue;
            foreach (var endpoint in (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var conditions = endpoint["conditions"] as JsonObject;
                // An unset condition is to be read as true, the API says, except terminating.
                var ready = (bool?)conditions?["ready"] ?? true;
                var serving = (bool?)conditions?["serving"] ?? ready;
                var terminating = (bool?)conditions?["terminating"] ?? false;
                foreach (var address in (endpoint["addresses"] as JsonArray ?? []).Select(a => (string?)a).OfType<string>())
                    endpoints.Add(new Endpoint(address, number, (string?)endpoint["nodeName"], ready, serving, terminating));
            }
        }
        return endpoints;
    }

    private Endpoint? Sticky(JsonObject service, PodSandbox? client, List<Endpoint> usable)
    {
        if (client is null || (string?)service["spec"]?["sessionAffinity"] != "ClientIP") return null;
        lock (gate)
        {
            return affinity.TryGetValue((service.Uid(), client.Ip), out var remembered) && remembered.Until > DateTime.UtcNow
                ? usable.FirstOrDefault(e => e.Address == remembered.Address)
                : null;
        }
    }

    private void Remember(JsonObject service, PodSandbox? client, Endpoint chosen)
    {
        if (client is null || (string?)service["spec"]?["sessionAffinity"] != "ClientIP") return;
        var timeout = JsonNumber.Long(service["spec"]?["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"]) ?? 10800;
        lock (gate) affinity[(service.Uid(), client.Ip)] = (chosen.Address, DateTime.UtcNow + TimeSpan.FromSeconds(timeout));
    }
}
