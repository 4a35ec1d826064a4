using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>
/// A Gateway API implementation: it installs its GatewayClass (as an implementation's chart does) and accepts the
/// classes naming its controller; for each Gateway of those classes it runs a data plane (<see cref="GatewayDataPlane"/>)
/// on an address of its own, published as an IPAddress (a load balancer's), as the Hostname of an in-cluster Service, or
/// not at all (only the in-cluster Service, labelled with the Gateway's name, leads to it),
/// and writes the Gateway's status (addresses, Accepted, Programmed, and per listener supportedKinds, attachedRoutes,
/// Accepted, Conflicted, Programmed, ResolvedRefs); for each HTTPRoute attached to one of them it writes its parent
/// status (Accepted, ResolvedRefs), leaving other controllers' entries alone.
/// </summary>
public sealed class GatewayController : ReconcilingBehaviour
{
    public const string ComponentName = "gateway-api";

    /// <summary>The label the Services of Gateways carry (as Istio's and the Gateway API's own convention name it).</summary>
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    private const string AddressPool = "172.18.255.";
    private readonly Dictionary<string, GatewayDataPlane> dataPlanes = new(StringComparer.Ordinal);
    private GatewayOptions options = null!;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } =
        [GatewayKinds.GatewayClass, GatewayKinds.Gateway, GatewayKinds.HttpRoute, Kinds.Service, Kinds.Namespace];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        options ??= Cluster.Options<GatewayOptions>(ComponentName);
        EnsureClass();
        var classes = Store.List(GatewayKinds.GatewayClass).Where(c => (string?)c["spec"]?["controllerName"] == options.ControllerName).ToList();
        foreach (var gatewayClass in classes) AcceptClass(gatewayClass);
        var accepted = options.Fault.AcceptsClass ? classes.Select(c => c.Name()).ToHashSet(StringComparer.Ordinal) : [];
        var gateways = Store.List(GatewayKinds.Gateway)
            .Where(g => !g.IsDeleting() && accepted.Contains((string?)g["spec"]?["gatewayClassName"] ?? "")).ToList();
        foreach (var gone in dataPlanes.Keys.Except(gateways.Select(GatewayDataPlane.Key)).ToList())
        {
            await dataPlanes[gone].DisposeAsync();
            dataPlanes.Remove(gone);
        }
        foreach (var gateway in gateways) await ProgramAsync(gateway);
        foreach (var route in Store.List(GatewayKinds.HttpRoute).Where(r => !r.IsDeleting())) WriteRouteStatus(route, gateways);
    }

    private void EnsureClass()
    {
        if (Store.Get(GatewayKinds.GatewayClass, null, options.ClassName) is not null) return;
        Store.Create(GatewayKinds.GatewayClass, new JsonObject
        {
            ["apiVersion"] = $"{GatewayKinds.Group}/v1",
            ["kind"] = "GatewayClass",
            ["metadata"] = new JsonObject { ["name"] = options.ClassName },
            ["spec"] = new JsonObject { ["controllerName"] = options.ControllerName },
        });
    }

    private void AcceptClass(JsonObject gatewayClass)
    {
        if (!options.Fault.AcceptsClass) return;
        WriteStatus(GatewayKinds.GatewayClass, gatewayClass, status => status["conditions"] = Conditions.Merge(status["conditions"] as JsonArray,
            [Conditions.Condition("Accepted", true, "Accepted", "Handled by the simulated gateway controller", Conditions.Generation(gatewayClass))]));
    }

    private async Task ProgramAsync(JsonObject gateway)
    {
        var key = GatewayDataPlane.Key(gateway);
        if (!dataPlanes.TryGetValue(key, out var dataPlane))
        {
            dataPlane = new GatewayDataPlane(Cluster, gateway, FreeAddress(), options.Fault);
            dataPlanes[key] = dataPlane;
        }
        var listeners = RouteAttachment.Listeners(gateway).ToList();
        var http = listeners.Where(l => (string?)l["protocol"] == "HTTP").ToList();
        await dataPlane.ListenOnAsync(http.Select(l => JsonNumber.Int(l["port"]) ?? 80).ToHashSet());
        var service = options.Address == GatewayAddressKind.IPAddress ? null : EnsureService(gateway, http, dataPlane.Address);
        var addresses = options.Address switch
        {
            GatewayAddressKind.IPAddress => new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = dataPlane.Address }),
            GatewayAddressKind.Hostname => new JsonArray(new JsonObject { ["type"] = "Hostname", ["value"] = service }),
            // Published nowhere: clients find the Gateway's Service by its label.
            _ => new JsonArray(),
        };
        var generation = Conditions.Generation(gateway);
        var routes = Store.List(GatewayKinds.HttpRoute).Where(r => !r.IsDeleting()).ToList();
        WriteStatus(GatewayKinds.Gateway, gateway, status =>
        {
            if (addresses.Count > 0) status["addresses"] = addresses.DeepClone();
            else status.Remove("addresses");
            status["conditions"] = Conditions.Merge(status["conditions"] as JsonArray,
            [
                Conditions.Condition("Accepted", true, "Accepted", "Gateway accepted", generation),
                Conditions.Condition("Programmed", true, "Programmed", $"Gateway programmed on {dataPlane.Address}", generation),
            ]);
            var previous = (status["listeners"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            status["listeners"] = new JsonArray([.. listeners.Select(listener => (JsonNode)ListenerStatus(gateway, listener, routes, previous, generation))]);
        });
    }

    private JsonObject ListenerStatus(JsonObject gateway, JsonObject listener, List<JsonObject> routes, List<JsonObject> previous, long generation)
    {
        var name = (string?)listener["name"] ?? "";
        var supported = (string?)listener["protocol"] == "HTTP";
        var attached = supported ? routes.Count(route => RouteAttachment.ParentRefsTo(route, gateway)
            .Any(parent => RouteAttachment.ListenersFor(route, parent, gateway, Store).Any(l => (string?)l["name"] == name))) : 0;
        var old = previous.FirstOrDefault(l => (string?)l["name"] == name)?["conditions"] as JsonArray;
        return new JsonObject
        {
            ["name"] = name,
            ["supportedKinds"] = supported ? new JsonArray(new JsonObject { ["group"] = GatewayKinds.Group, ["kind"] = "HTTPRoute" }) : new JsonArray(),
            ["attachedRoutes"] = attached,
            ["conditions"] = Conditions.Merge(old,
            [
                Conditions.Condition("Accepted", supported, supported ? "Accepted" : "UnsupportedProtocol",
                    supported ? "Listener accepted" : $"protocol {(string?)listener["protocol"]} is not supported", generation),
                Conditions.Condition("Conflicted", false, "NoConflicts", "No conflicts", generation),
                Conditions.Condition("Programmed", supported, supported ? "Programmed" : "Invalid", supported ? "Listener programmed" : "Listener is invalid", generation),
                Conditions.Condition("ResolvedRefs", true, "ResolvedRefs", "References resolved", generation),
            ]),
        };
    }

    /// <summary>The in-cluster Service in front of the data plane (selectorless, its EndpointSlice kept by this controller); returns its DNS name.</summary>
    private string EnsureService(JsonObject gateway, List<JsonObject> listeners, string address)
    {
        var name = $"{gateway.Name()}-{options.ClassName}";
        var ns = gateway.Namespace();
        var ports = new JsonArray([.. listeners.Select(l => (JsonNode)new JsonObject
        {
            ["name"] = (string?)l["name"], ["protocol"] = "TCP", ["port"] = JsonNumber.Int(l["port"]), ["targetPort"] = JsonNumber.Int(l["port"]),
        })]);
        if (Store.Get(Kinds.Service, ns, name) is null)
        {
            var service = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Service",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name, ["namespace"] = ns,
                    ["labels"] = new JsonObject { [GatewayNameLabel] = gateway.Name() },
                    ["ownerReferences"] = new JsonArray(Json.OwnerReference(gateway)),
                },
                ["spec"] = new JsonObject { ["type"] = "ClusterIP", ["ports"] = ports.DeepClone() },
            };
            ServiceAdmission.Admit(Store, service, null);
            Store.Create(Kinds.Service, service);
            Store.Create(Kinds.EndpointSlice, new JsonObject
            {
                ["apiVersion"] = "discovery.k8s.io/v1",
                ["kind"] = "EndpointSlice",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name, ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = name, ["endpointslice.kubernetes.io/managed-by"] = options.ControllerName },
                    ["ownerReferences"] = new JsonArray(Json.OwnerReference(gateway)),
                },
                ["addressType"] = "IPv4",
                ["endpoints"] = new JsonArray(new JsonObject
                {
                    ["addresses"] = new JsonArray(address),
                    ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true, ["terminating"] = false },
                }),
                ["ports"] = new JsonArray([.. listeners.Select(l => (JsonNode)new JsonObject
                {
                    ["name"] = (string?)l["name"], ["protocol"] = "TCP", ["port"] = JsonNumber.Int(l["port"]),
                })]),
            });
        }
        return $"{name}.{ns}.svc.cluster.local";
    }

    private void WriteRouteStatus(JsonObject route, List<JsonObject> gateways)
    {
        var generation = Conditions.Generation(route);
        var mine = new List<JsonObject>();
        foreach (var gateway in gateways)
        foreach (var parent in RouteAttachment.ParentRefsTo(route, gateway))
        {
            var attaches = RouteAttachment.ListenersFor(route, parent, gateway, Store).Any();
            var unresolved = (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(BackendRefs.Of)
                .Select(backend => BackendRefs.Resolve(route, backend, Store, Cluster.GatewayBackends)).FirstOrDefault(b => !b.Resolved);
            mine.Add(new JsonObject
            {
                ["parentRef"] = parent.DeepClone(),
                ["controllerName"] = options.ControllerName,
                ["conditions"] = new JsonArray(
                    Conditions.Condition("Accepted", attaches, attaches ? "Accepted" : "NotAllowedByListeners",
                        attaches ? "Route accepted" : "No listener of the Gateway admits this route", generation),
                    Conditions.Condition("ResolvedRefs", unresolved is null, unresolved?.Reason ?? "ResolvedRefs",
                        unresolved?.Message ?? "All references resolved", generation)),
            });
        }
        if (mine.Count == 0) return;
        WriteStatus(GatewayKinds.HttpRoute, route, status =>
            status["parents"] = Conditions.MergeParents(status["parents"] as JsonArray, mine, options.ControllerName));
    }

    /// <summary>Writes the status a change produces, only when it differs from what is stored (so a pass that changes nothing writes nothing).</summary>
    private void WriteStatus(ResourceKind kind, JsonObject obj, Action<JsonObject> change)
    {
        var status = (obj["status"] as JsonObject)?.DeepClone().AsObject() ?? [];
        change(status);
        if (JsonNode.DeepEquals(status, obj["status"])) return;
        Store.Mutate(kind, obj.Namespace(), obj.Name(), stored => stored["status"] = status.DeepClone(), statusOnly: true);
    }

    /// <summary>The next load-balancer address not given to another Gateway (as a cloud's or MetalLB's pool hands them out).</summary>
    private string FreeAddress()
    {
        var taken = dataPlanes.Values.Select(d => d.Address).ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(200, 55).Select(host => AddressPool + host).First(address => !taken.Contains(address));
    }

    protected override void Stopped()
    {
        foreach (var dataPlane in dataPlanes.Values) dataPlane.DisposeAsync().AsTask().GetAwaiter().GetResult();
        dataPlanes.Clear();
    }
}
