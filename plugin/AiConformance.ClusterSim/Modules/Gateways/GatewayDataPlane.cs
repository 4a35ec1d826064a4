using System.Net;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Network;
using AiConformance.Workloads.Serving;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>
/// The proxy of one Gateway: it listens on the Gateway's address at each listener's port, on the pod network, and
/// sends every request where the attached HTTPRoutes say (<see cref="HttpRouteMatcher"/>): to one backend of the
/// matched rule, drawn by weight, with the rule's RequestHeaderModifier applied; a backend of an extension's kind (an
/// InferencePool) goes to the endpoint the extension picks. No matching rule: 404; a rule whose chosen backend does not
/// resolve: 500 (as the Gateway API asks); a backend that does not answer: 503.
/// </summary>
public sealed class GatewayDataPlane : IAsyncDisposable
{
    private readonly SimulatedCluster cluster;
    private readonly PodSandbox sandbox;
    private readonly IGatewayFault fault;
    private readonly HttpRouteMatcher matcher;
    private readonly HttpClient client;
    private readonly Dictionary<int, HttpRoleServer> servers = [];
    private readonly (string Namespace, string Name) gateway;

    public GatewayDataPlane(SimulatedCluster cluster, JsonObject gateway, string address, IGatewayFault fault)
    {
        this.cluster = cluster;
        this.fault = fault;
        this.gateway = (gateway.Namespace() ?? "", gateway.Name());
        matcher = new HttpRouteMatcher(fault);
        sandbox = cluster.Network.AttachAddress(Key(gateway), this.gateway.Namespace, this.gateway.Name, address);
        client = new HttpClient(cluster.Network.CreateHttpHandler(sandbox)) { Timeout = TimeSpan.FromMinutes(5) };
    }

    public string Address => sandbox.Ip;

    public static string Key(JsonObject gateway) => $"gateway:{gateway.Uid()}";

    /// <summary>Listens on the ports of the Gateway's HTTP listeners (and stops listening on ports no longer there).</summary>
    public async Task ListenOnAsync(IReadOnlySet<int> ports)
    {
        foreach (var port in servers.Keys.Where(port => !ports.Contains(port)).ToList())
        {
            await servers[port].DisposeAsync();
            servers.Remove(port);
        }
        foreach (var port in ports.Where(port => !servers.ContainsKey(port)))
            servers[port] = cluster.Network.Serve(sandbox, port, (request, token) => HandleAsync(port, request, token));
    }

    private async Task<RoleResponse> HandleAsync(int port, HttpListenerRequest request, CancellationToken cancellationToken)
    {
        if (!fault.ProgramsRoutes) return Text(503, "no healthy upstream");
        var current = cluster.Store.Get(GatewayKinds.Gateway, gateway.Namespace, gateway.Name);
        var listeners = current is null ? [] : RouteAttachment.Listeners(current).Where(l => JsonNumber.Int(l["port"]) == port).ToList();
        var routes = listeners.SelectMany(listener => RouteAttachment.RoutesOn(current!, listener, cluster.Store)).DistinctBy(r => r.Uid());
        var path = request.Url?.AbsolutePath ?? "/";
        var matched = matcher.Match(routes, new GatewayRequest(request.HttpMethod, path, request.QueryString, request.Headers, request.UserHostName ?? ""));
        if (matched is null) return Text(404, "");
        var backends = BackendRefs.Of(matched.Rule).ToList();
        var weights = cluster.GatewayBackends.Weights(backends);
        if (weights.Sum() == 0) return Text(500, "");
        var chosen = backends[fault.ChooseBackend(weights)];
        var backend = BackendRefs.Resolve(matched.Route, chosen, cluster.Store, cluster.GatewayBackends);
        if (!backend.Resolved) return Text(500, "");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in request.Headers.AllKeys.OfType<string>()) headers[name] = request.Headers[name] ?? "";
        foreach (var filter in Filters(matched.Rule).Concat(Filters(chosen))) RequestHeaderModifier.Apply(filter, headers);
        var (host, targetPort) = (backend.Host, backend.Port);
        if (cluster.GatewayBackends.For(chosen) is { } extension)
        {
            var picked = await extension.PickAsync(matched.Route, chosen, headers, client, cancellationToken);
            if (picked.Host is null) return Text(picked.Status, picked.Message);
            (host, targetPort) = (picked.Host, picked.Port);
        }
        return await ForwardAsync(request, headers, host!, targetPort, cancellationToken);
    }

    private async Task<RoleResponse> ForwardAsync(HttpListenerRequest request, Dictionary<string, string> headers, string host, int port,
        CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), $"http://{host}:{port}{request.Url?.PathAndQuery}");
        string? contentType = null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                message.Headers.TryAddWithoutValidation(name, value);
        }
        if (request.HasEntityBody)
        {
            using var reader = new StreamReader(request.InputStream);
            message.Content = new StringContent(await reader.ReadToEndAsync(cancellationToken));
            if (contentType is not null) message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }
        try
        {
            using var response = await client.SendAsync(message, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new RoleResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "text/plain", body);
        }
        catch (HttpRequestException)
        {
            return Text(503, "upstream connect error or disconnect/reset before headers");
        }
    }

    private static IEnumerable<JsonObject> Filters(JsonObject owner) => (owner["filters"] as JsonArray ?? []).OfType<JsonObject>();

    private static RoleResponse Text(int status, string body) => new(status, "text/plain", body);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers.Values) await server.DisposeAsync();
        servers.Clear();
        client.Dispose();
        cluster.Network.Detach(sandbox.Uid);
    }
}

/// <summary>The RequestHeaderModifier filter: set replaces, add appends (comma-joined), remove drops.</summary>
public static class RequestHeaderModifier
{
    public static void Apply(JsonObject filter, Dictionary<string, string> headers)
    {
        if ((string?)filter["type"] != "RequestHeaderModifier" || filter["requestHeaderModifier"] is not JsonObject modifier) return;
        foreach (var header in (modifier["set"] as JsonArray ?? []).OfType<JsonObject>())
            headers[(string?)header["name"] ?? ""] = (string?)header["value"] ?? "";
        foreach (var header in (modifier["add"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)header["name"] ?? "";
            headers[name] = headers.TryGetValue(name, out var existing) ? $"{existing},{(string?)header["value"]}" : (string?)header["value"] ?? "";
        }
        foreach (var name in (modifier["remove"] as JsonArray ?? []).Select(n => (string?)n).OfType<string>()) headers.Remove(name);
    }
}
