using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// What kube-apiserver's Service registry does on create and update: defaults (type, session affinity, IP families,
/// traffic policies, ports), a ClusterIP from the service range unless the Service is headless (<c>None</c>) or an
/// ExternalName, node ports for NodePort and LoadBalancer Services, and refusal of a requested ClusterIP or node port
/// that is outside its range or already taken. Runs inside the store's write, so two creates never get one address.
/// </summary>
public static class ServiceAdmission
{
    public static readonly ResourceKind Services = new("", "v1", "Service", "services", true);
    private const long SessionAffinityTimeoutSeconds = 10800;

    public static void Admit(IClusterStore? store, JsonObject service, JsonObject? old)
    {
        if (service["spec"] is not JsonObject spec) service["spec"] = spec = new JsonObject();
        var oldSpec = old?["spec"] as JsonObject;
        var others = store?.List(Services, filter: s => s.Uid() != service.Uid()) ?? [];
        var errors = new List<FieldError>();
        Default(spec, "type", "ClusterIP");
        Default(spec, "sessionAffinity", "None");
        if (spec.Str("sessionAffinity") == "ClientIP")
            Default(spec, "sessionAffinityConfig", new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = SessionAffinityTimeoutSeconds } });
        var type = spec.Str("type");
        if (type != "ExternalName")
        {
            ClusterIp(spec, oldSpec, others, errors);
            Default(spec, "ipFamilies", new JsonArray("IPv4"));
            // A headless Service without selector may carry addresses of every family the cluster has.
            var headlessWithoutSelector = spec.Str("clusterIP") == "None" && spec["selector"] is not JsonObject { Count: > 0 };
            Default(spec, "ipFamilyPolicy", headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
            Default(spec, "internalTrafficPolicy", "Cluster");
        }
        if (type is "NodePort" or "LoadBalancer") Default(spec, "externalTrafficPolicy", "Cluster");
        if (type == "LoadBalancer") Default(spec, "allocateLoadBalancerNodePorts", true);
        var ports = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var port in ports)
        {
            Default(port, "protocol", "TCP");
            if (port["port"] is { } number) Default(port, "targetPort", number.DeepClone());
        }
        if (type == "NodePort" || (type == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.GetValue<bool>() != false))
            NodePorts(ports, oldSpec, others, errors);
        if (errors.Count > 0) throw StatusException.Invalid(Services, service.Name(), errors);
    }

    private static void ClusterIp(JsonObject spec, JsonObject? oldSpec, IReadOnlyList<JsonObject> others, List<FieldError> errors)
    {
        var requested = spec.Str("clusterIP") is { Length: > 0 } given ? given : (spec["clusterIPs"] as JsonArray)?.FirstOrDefault()?.GetValue<string>();
        if (string.IsNullOrEmpty(requested) && oldSpec?.Str("clusterIP") is { } kept) requested = kept;
        if (string.IsNullOrEmpty(requested))
        {
            requested = FreeClusterIp(others);
        }
        else if (requested != "None" && oldSpec?.Str("clusterIP") != requested)
        {
            var field = "spec.clusterIPs[0]";
            if (!ClusterAddresses.ServiceCidr.Contains(requested))
                errors.Add(FieldError.InvalidValue(field, requested,
                    $"failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is {ClusterAddresses.ServiceCidr}"));
            else if (UsedClusterIps(others).Contains(requested))
                errors.Add(FieldError.InvalidValue(field, requested, $"failed to allocate IP {requested}: provided IP is already allocated"));
        }
        spec["clusterIP"] = requested;
        spec["clusterIPs"] = new JsonArray(requested);
    }

    /// <summary>The lowest free address above the ones the cluster's own Services hold (kubernetes, DNS).</summary>
    private static string FreeClusterIp(IReadOnlyList<JsonObject> others)
    {
        var used = UsedClusterIps(others);
        var range = ClusterAddresses.ServiceCidr;
        var first = range.OffsetOf(ClusterAddresses.DnsServiceIp)!.Value + 1;
        for (var offset = first; offset < range.Size - 1; offset++)
        {
            var address = range.At(offset);
            if (!used.Contains(address)) return address;
        }
        throw new StatusException(500, "InternalError", $"Internal error occurred: failed to allocate a serviceIP: range is full");
    }

    private static HashSet<string> UsedClusterIps(IReadOnlyList<JsonObject> others) =>
        [.. others.Select(s => s["spec"]?["clusterIP"]?.GetValue<string>()).OfType<string>(), ClusterAddresses.KubernetesServiceIp, ClusterAddresses.DnsServiceIp];

    private static void NodePorts(List<JsonObject> ports, JsonObject? oldSpec, IReadOnlyList<JsonObject> others, List<FieldError> errors)
    {
        var used = others.SelectMany(s => (s["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(p => p["nodePort"].AsLong()).OfType<long>().ToHashSet();
        var kept = (oldSpec?["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            if (port["nodePort"].AsLong() is not { } requested)
            {
                var before = kept.FirstOrDefault(k => k.Str("name") == port.Str("name") && k["nodePort"] is not null);
                port["nodePort"] = before?["nodePort"].AsLong()
                    ?? Enumerable.Range(ClusterAddresses.FirstNodePort, ClusterAddresses.LastNodePort - ClusterAddresses.FirstNodePort + 1)
                        .Select(p => (long)p).FirstOrDefault(p => !used.Contains(p));
                used.Add(port["nodePort"].AsLong()!.Value);
                continue;
            }
            if (kept.Any(k => k["nodePort"].AsLong() == requested)) continue;
            var field = $"spec.ports[{i}].nodePort";
            if (requested is < ClusterAddresses.FirstNodePort or > ClusterAddresses.LastNodePort)
                errors.Add(new FieldError("FieldValueInvalid", field,
                    $"Invalid value: {requested}: provided port is not in the valid range. The range of valid ports is {ClusterAddresses.FirstNodePort}-{ClusterAddresses.LastNodePort}"));
            else if (!used.Add(requested))
                errors.Add(new FieldError("FieldValueInvalid", field, $"Invalid value: {requested}: provided port is already allocated"));
        }
    }

    private static void Default(JsonObject obj, string property, JsonNode? value)
    {
        if (obj[property] is null) obj[property] = value;
    }
}
