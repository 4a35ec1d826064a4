using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Network;

/// <summary>
/// The cluster DNS (CoreDNS's kubernetes plugin) as a pod with <c>dnsPolicy: ClusterFirst</c> queries it: a name is
/// tried with the pod's search domains (<c>&lt;ns&gt;.svc.cluster.local</c>, <c>svc.cluster.local</c>,
/// <c>cluster.local</c>) and then as given, so <c>svc</c>, <c>svc.ns</c>, <c>svc.ns.svc</c> and
/// <c>svc.ns.svc.cluster.local</c> all find a Service. A Service's name resolves to its ClusterIP; a headless one's
/// to the addresses of its ready endpoints (and <c>&lt;hostname&gt;.&lt;svc&gt;...</c> to one of them); an ExternalName
/// Service's to what its name resolves to; <c>a-b-c-d.&lt;ns&gt;.pod.cluster.local</c> to <c>a.b.c.d</c>. Any other
/// name does not exist: the simulated cluster has no outside world.
/// </summary>
public sealed class ClusterDns(IClusterStore store)
{
    private const string Zone = "." + ClusterAddresses.ClusterDomain;

    /// <summary>The addresses of <paramref name="name"/> for a client in <paramref name="clientNamespace"/>; empty when it does not exist.</summary>
    public IReadOnlyList<string> Resolve(string name, string? clientNamespace) => Resolve(name, clientNamespace, depth: 0);

    private IReadOnlyList<string> Resolve(string name, string? clientNamespace, int depth)
    {
        var query = name.TrimEnd('.').ToLowerInvariant();
        if (depth > 4 || query.Length == 0) return [];
        var candidates = name.EndsWith('.') ? [query] : SearchList(query, clientNamespace);
        foreach (var candidate in candidates)
        {
            if (Lookup(candidate, depth) is { Count: > 0 } addresses) return addresses;
        }
        return [];
    }

    private static IEnumerable<string> SearchList(string query, string? clientNamespace)
    {
        if (clientNamespace is not null) yield return $"{query}.{clientNamespace}.svc{Zone}";
        yield return $"{query}.svc{Zone}";
        yield return query + Zone;
        yield return query;
    }

    private IReadOnlyList<string> Lookup(string fqdn, int depth)
    {
        if (!fqdn.EndsWith(Zone, StringComparison.Ordinal)) return [];
        var labels = fqdn[..^Zone.Length].Split('.');
        return labels switch
        {
            [var service, var ns, "svc"] => ServiceAddresses(ns, service, depth),
            [var host, var service, var ns, "svc"] => HostAddresses(ns, service, host),
            [var dashed, _, "pod"] when dashed.Count(c => c == '-') == 3 => [dashed.Replace('-', '.')],
            _ => [],
        };
    }

    private IReadOnlyList<string> ServiceAddresses(string ns, string name, int depth)
    {
        if (store.Get(Kinds.Service, ns, name) is not { } service) return [];
        var spec = service["spec"] as JsonObject;
        if ((string?)spec?["type"] == "ExternalName")
            return Resolve(((string?)spec?["externalName"] ?? "") + ".", null, depth + 1);
        var clusterIp = (string?)spec?["clusterIP"];
        return clusterIp is not null && clusterIp != "None" ? [clusterIp] : [.. ReadyEndpoints(service).Select(e => e.Address).Distinct()];
    }

    /// <summary>A pod of a headless Service by the hostname its endpoint carries.</summary>
    private IReadOnlyList<string> HostAddresses(string ns, string serviceName, string host) =>
        store.Get(Kinds.Service, ns, serviceName) is { } service && (string?)service["spec"]?["clusterIP"] == "None"
            ? [.. ReadyEndpoints(service).Where(e => e.Hostname == host).Select(e => e.Address)]
            : [];

    private IEnumerable<(string Address, string? Hostname)> ReadyEndpoints(JsonObject service) =>
        store.List(Kinds.EndpointSlice, service.Namespace(), s => s.Label("kubernetes.io/service-name") == service.Name())
            .SelectMany(slice => (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(endpoint => (bool?)endpoint["conditions"]?["ready"] ?? true)
            .SelectMany(endpoint => (endpoint["addresses"] as JsonArray ?? []).Select(a => ((string?)a ?? "", (string?)endpoint["hostname"])));
}
