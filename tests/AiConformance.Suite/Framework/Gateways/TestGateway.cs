using System.Text.Json.Nodes;
using AiConformance.Workloads;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>
/// The Gateway a test sends its traffic through: created in the test's namespace for the detected GatewayClass (or
/// the configured existing Gateway), checked for Accepted and Programmed (never assumed), and reached at the address
/// it publishes: an IP address, a hostname, or, when it publishes none, its in-cluster Service.
/// </summary>
public sealed class TestGateway
{
    public const int EchoPort = 8080;
    private const string ListenerName = "http";

    private readonly TestNamespace ns;

    private TestGateway(TestNamespace ns, string gatewayNamespace, string name, int port, string host)
    {
        this.ns = ns;
        Namespace = gatewayNamespace;
        Name = name;
        Port = port;
        Host = host;
    }

    public string Namespace { get; }
    public string Name { get; }
    public int Port { get; }
    public string Host { get; }

    public string Url(string path) => $"http://{Host}:{Port}{path}";

    /// <summary>Fails at once, with the class's conditions, when its controller has not accepted the GatewayClass.</summary>
    public static void RequireAccepted(DetectedGateway detected) =>
        Assert.That(detected.Accepted, Is.True,
            $"GatewayClass {detected.ClassName} must be Accepted by its controller {detected.Controller}; it shows {GatewayApi.Describe(detected.Conditions)}");

    public static async Task<TestGateway> CreateAsync(TestNamespace ns, DetectedGateway detected)
    {
        RequireAccepted(detected);
        var (gatewayNs, name) = (detected.ExistingNamespace ?? ns.Name, detected.ExistingName ?? "inference-gateway");
        if (detected.ExistingName is null)
        {
            Evidence.Step($"Create Gateway {name} of class {detected.ClassName} with an HTTP listener on port 80");
            await ns.CreateAsync(new Gateway
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new JsonObject
                {
                    ["gatewayClassName"] = detected.ClassName,
                    ["listeners"] = new JsonArray(new JsonObject { ["name"] = ListenerName, ["protocol"] = "HTTP", ["port"] = 80 }),
                },
            });
        }
        var gateways = await Wait.For(new ClusterObjects<Gateway>(ns.Kubernetes, gatewayNs).Watchable(name))
            .Until($"Gateway {gatewayNs}/{name} to be Accepted and Programmed", seen => seen.Any(IsReady))
            .DescribedBy(seen => seen.Count == 0 ? "no such Gateway" : Describe(seen[0]))
            .Within(ns.Timeouts.RouteAccepted)
            .Async(ns.Cancellation);
        var gateway = gateways[0];
        Evidence.Observed($"Gateway {gatewayNs}/{name}", Describe(gateway));
        var port = (gateway.Spec?["listeners"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(l => (string?)l["protocol"] == "HTTP").Select(l => (int?)l["port"]).FirstOrDefault() ?? 80;
        var host = gateway.Status?.Addresses?.FirstOrDefault()?.Value ?? await InClusterServiceAsync(ns, gatewayNs, name);
        Evidence.Observed("traffic goes to", $"{host}:{port}");
        return new TestGateway(ns, gatewayNs, name, port, host);
    }

    private static bool IsReady(Gateway gateway) =>
        GatewayApi.Holds(gateway.Status?.Conditions, "Accepted", gateway.Metadata.Generation)
        && GatewayApi.Holds(gateway.Status?.Conditions, "Programmed", gateway.Metadata.Generation);

    public static string Describe(Gateway gateway) =>
        $"{GatewayApi.Describe(gateway.Status?.Conditions)}; addresses: " +
        $"{string.Join(", ", (gateway.Status?.Addresses ?? []).Select(a => $"{a.Type ?? "IPAddress"} {a.Value}").DefaultIfEmpty("none"))}; listeners: " +
        string.Join("; ", (gateway.Status?.Listeners ?? []).Select(l => $"{l.Name} ({l.AttachedRoutes} routes; {GatewayApi.Describe(l.Conditions)})").DefaultIfEmpty("none"));

    /// <summary>A Gateway without a published address: its Service, found by the label implementations put on it.</summary>
    private static async Task<string> InClusterServiceAsync(TestNamespace ns, string gatewayNs, string name)
    {
        var (services, _) = await new ClusterObjects<V1Service>(ns.Kubernetes, gatewayNs)
            .ListAsync($"gateway.networking.k8s.io/gateway-name={name}", null, ns.Cancellation);
        Assert.That(services, Is.Not.Empty, $"Gateway {gatewayNs}/{name} publishes no address and has no Service labelled gateway.networking.k8s.io/gateway-name={name}");
        return $"{services[0].Metadata.Name}.{gatewayNs}.svc.cluster.local";
    }

    /// <summary>An HTTPRoute on this Gateway; returns once the Gateway's controller reports it Accepted with its references resolved.</summary>
    public async Task<HttpRoute> RouteAsync(string name, params JsonObject[] rules)
    {
        await CreateRouteAsync(name, rules);
        return await WaitForRouteAsync(name, "Accepted with ResolvedRefs", status =>
            GatewayApi.Holds(status.Conditions, "Accepted") && GatewayApi.Holds(status.Conditions, "ResolvedRefs"));
    }

    /// <summary>A negative control: an HTTPRoute whose backend does not exist must be reported with ResolvedRefs=False.</summary>
    public async Task<HttpRoute> UnresolvedRouteAsync(string name, JsonObject rule)
    {
        await CreateRouteAsync(name, rule);
        return await WaitForRouteAsync(name, "reported with ResolvedRefs=False", status =>
            status.Conditions?.Any(c => c.Type == "ResolvedRefs" && c.Status == "False") == true);
    }

    /// <summary>The Gateway's listeners once they count at least <paramref name="routes"/> attached routes.</summary>
    public async Task<IReadOnlyList<ListenerStatus>> WaitForAttachedRoutesAsync(int routes)
    {
        var seen = await Wait.For(new ClusterObjects<Gateway>(ns.Kubernetes, Namespace).Watchable(Name))
            .Until($"the listeners of Gateway {Namespace}/{Name} to count {routes} attached route(s)",
                gateways => gateways.Any(g => (g.Status?.Listeners ?? []).Sum(l => l.AttachedRoutes) >= routes))
            .DescribedBy(gateways => gateways.Count == 0 ? "no such Gateway" : Describe(gateways[0]))
            .Within(ns.Timeouts.RouteAccepted)
            .Async(ns.Cancellation);
        Evidence.Observed($"Gateway {Namespace}/{Name}", Describe(seen[0]));
        return seen[0].Status?.Listeners ?? [];
    }

    /// <summary>Creates an HTTPRoute on this Gateway without waiting for its status.</summary>
    public async Task CreateRouteAsync(string name, params JsonObject[] rules)
    {
        var parent = new JsonObject { ["name"] = Name };
        if (Namespace != ns.Name) parent["namespace"] = Namespace;
        Evidence.Block($"HTTPRoute {name} rules", new JsonArray([.. rules.Select(r => (JsonNode)r.DeepClone())]).ToJsonString(), "json");
        await ns.CreateAsync(new HttpRoute
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new JsonObject { ["parentRefs"] = new JsonArray(parent), ["rules"] = new JsonArray([.. rules]) },
        });
    }

    private async Task<HttpRoute> WaitForRouteAsync(string name, string what, Func<RouteParentStatus, bool> condition)
    {
        var routes = await Wait.For(ns.Objects<HttpRoute>().Watchable(name))
            .Until($"HTTPRoute {name} to be {what} by Gateway {Namespace}/{Name}", seen => seen.Any(route =>
                GatewayApi.ParentStatus(route, Namespace, Name) is { } status && condition(status)))
            .DescribedBy(seen => seen.Count == 0 ? "no such route" : DescribeParents(seen[0]))
            .Within(ns.Timeouts.RouteAccepted)
            .Async(ns.Cancellation);
        Evidence.Observed($"HTTPRoute {name}", DescribeParents(routes[0]));
        return routes[0];
    }

    private static string DescribeParents(HttpRoute route) =>
        route.Status?.Parents is not { Count: > 0 } parents ? "no parent status"
        : string.Join("; ", parents.Select(p => $"{(string?)p.ParentRef?["name"]} by {p.ControllerName}: {GatewayApi.Describe(p.Conditions)}"));

    /// <summary>A rule: optional path prefix and header matches, then weighted backendRefs to serve-echo Services.</summary>
    public static JsonObject Rule(string? pathPrefix, IReadOnlyDictionary<string, string>? headers, params (string Service, int Weight)[] backends) =>
        Rule(pathPrefix, headers, [.. backends.Select(b => new JsonObject { ["name"] = b.Service, ["port"] = 80, ["weight"] = b.Weight })]);

    /// <summary>A rule: optional path prefix and header matches, then the given backendRefs (Services, InferencePools).</summary>
    public static JsonObject Rule(string? pathPrefix, IReadOnlyDictionary<string, string>? headers, params JsonObject[] backendRefs)
    {
        var rule = new JsonObject { ["backendRefs"] = new JsonArray([.. backendRefs]) };
        if (pathPrefix is not null || headers is not null)
        {
            var match = new JsonObject();
            if (pathPrefix is not null) match["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = pathPrefix };
            if (headers is not null)
                match["headers"] = new JsonArray([.. headers.Select(h => (JsonNode)new JsonObject { ["type"] = "Exact", ["name"] = h.Key, ["value"] = h.Value })]);
            rule["matches"] = new JsonArray(match);
        }
        return rule;
    }

    /// <summary>One serve-echo Deployment and Service per name (answers name the backend); returns when every pod is Ready.</summary>
    public static async Task EchoBackendsAsync(TestNamespace ns, params string[] names)
    {
        foreach (var name in names)
        {
            var spec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeEcho, ["--port", RoleWorkloads.Number(EchoPort), "--backend", name], port: EchoPort);
            await ns.CreateAsync(RoleWorkloads.Deployment(name, 1, spec));
            await ns.CreateAsync(RoleWorkloads.Service(name, 80, EchoPort));
        }
        await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: $"{RoleWorkloads.AppLabel} in ({string.Join(",", names)})"))
            .Until($"the serve-echo pods of {string.Join(", ", names)} to be Ready", pods =>
                names.All(name => pods.Any(pod => pod.Metadata.Labels?[RoleWorkloads.AppLabel] == name && PodWaits.IsReady(pod))))
            .DescribedBy(PodWaits.Describe)
            .Within(ns.Timeouts.PodRunning)
            .Async(ns.Cancellation);
        await WaitForEndpointsAsync(ns, names);
    }

    /// <summary>Returns once the EndpointSlices of each of the namespace's Services list a ready endpoint.</summary>
    public static Task WaitForEndpointsAsync(TestNamespace ns, params string[] services) =>
        ServiceEndpoints.WaitReadyAsync(ns.Kubernetes, ns.Name, ns.Timeouts.PodRunning, ns.Cancellation, services);
}
