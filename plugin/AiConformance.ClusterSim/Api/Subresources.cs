using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>The subresources with their own behaviour: <c>pods/log</c>, <c>*/scale</c> and <c>pods/binding</c>.</summary>
internal sealed class Subresources(ClusterStore store)
{
    private static readonly ResourceKind Pods = new("", "v1", "Pod", "pods", true);
    private static readonly ResourceKind Services = new("", "v1", "Service", "services", true);

    public PodLogProvider? Logs { get; set; }

    public PodProxy? Proxy { get; set; }

    /// <summary>
    /// <c>GET pods/{name[:port]}/proxy/{path}</c>: the API server's request to the pod's address and port (80 when
    /// none is named), answered with what the pod answered, or 503 with kube-apiserver's words when it cannot reach it.
    /// </summary>
    public async Task ProxyAsync(HttpContext http, string ns, string nameAndPort, string path, CancellationToken cancellation)
    {
        var (name, portText) = NameAndPort(nameAndPort, "80");
        var pod = store.Get(Pods, ns, name) ?? throw StatusException.NotFound(Pods, name);
        if (!int.TryParse(portText, out var port) || port is < 1 or > 65535)
            throw StatusException.BadRequest($"invalid port {portText}: named ports are not supported by this simulation");
        await RelayAsync(http, pod, port, path, cancellation);
    }

    /// <summary>
    /// <c>GET services/{[scheme:]name[:port]}/proxy/{path}</c>: as kube-apiserver does, the request goes to one ready
    /// endpoint of the Service's port (named or numbered; the first port when none is named), answered with what that
    /// pod answered, or 503 when the Service has no ready endpoint.
    /// </summary>
    public async Task ServiceProxyAsync(HttpContext http, string ns, string nameAndPort, string path, CancellationToken cancellation)
    {
        var (name, portText) = NameAndPort(nameAndPort, "");
        var service = store.Get(Services, ns, name) ?? throw StatusException.NotFound(Services, name);
        var port = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p =>
                portText.Length == 0 || p.Str("name") == portText || (p["port"]?.ToString() == portText))
            ?? throw new StatusException(503, "ServiceUnavailable", $"no service port \"{portText}\" found for service \"{name}\"");
        var backend = new Network.ServiceProxy(store).Choose(service, port, null);
        var pod = backend.Address is null ? null : store.List(Pods, ns).FirstOrDefault(p => (string?)p["status"]?["podIP"] == backend.Address);
        if (pod is null) throw new StatusException(503, "ServiceUnavailable", $"no endpoints available for service \"{name}\"");
        await RelayAsync(http, pod, backend.Port, path, cancellation);
    }

    /// <summary>The <c>[scheme:]name[:port]</c> of a proxy URL; <paramref name="defaultPort"/> when no port is named.</summary>
    private static (string Name, string Port) NameAndPort(string nameAndPort, string defaultPort) => nameAndPort.Split(':') switch
    {
        [var n] => (n, defaultPort),
        [var n, var p] => (n, p),
        ["http", var n, var p] => (n, p),
        _ => throw StatusException.BadRequest($"invalid request: {nameAndPort}"),
    };

    /// <summary>Sends the request with its query to the pod's port and answers with what the pod answered.</summary>
    private async Task RelayAsync(HttpContext http, JsonObject pod, int port, string path, CancellationToken cancellation)
    {
        if (Proxy is null) throw new StatusException(503, "ServiceUnavailable", "no pod network in this server");
        var (status, contentType, body) = await Proxy(pod, port, path + http.Request.QueryString, cancellation);
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(body, cancellation);
    }

    public async Task LogAsync(HttpContext http, string ns, string name)
    {
        var (_, container) = PodAndContainer(store, http, ns, name);
        var previous = QueryParameters.Bool(http.Request.Query, "previous");
        var tail = QueryParameters.Int64(http.Request.Query, "tailLines");
        var text = Logs?.Invoke(ns, name, container, previous)
            ?? throw StatusException.BadRequest(previous
                ? $"previous terminated container \"{container}\" in pod \"{name}\" not found"
                : $"container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating");
        if (tail >= 0)
        {
            var lines = text.Split('\n');
            var hasTrailingNewline = text.EndsWith('\n');
            var content = hasTrailingNewline ? lines[..^1] : lines;
            text = string.Join('\n', content.TakeLast((int)Math.Min(tail.Value, int.MaxValue))) + (hasTrailingNewline && tail > 0 ? "\n" : "");
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync(text);
    }

    /// <summary>The pod a subresource is asked of (404 when there is none) and the container its query names.</summary>
    internal static (JsonObject Pod, string Container) PodAndContainer(ClusterStore store, HttpContext http, string ns, string name)
    {
        var pod = store.Get(Pods, ns, name) ?? throw StatusException.NotFound(Pods, name);
        return (pod, ContainerOf(pod, http.Request.Query["container"]));
    }

    /// <summary>
    /// The container a pod subresource (log, exec, attach) names, or the pod's only container; a 400 with the
    /// server's words when none is named among several or the name is not the pod's.
    /// </summary>
    internal static string ContainerOf(JsonObject pod, string? requested)
    {
        var name = pod.Name();
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c.Str("name") ?? "").ToList();
        if (string.IsNullOrEmpty(requested))
        {
            if (containers.Count != 1)
                throw StatusException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]");
            return containers[0];
        }
        var initContainers = (pod["spec"]?["initContainers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c.Str("name") ?? "");
        if (!containers.Contains(requested) && !initContainers.Contains(requested))
            throw StatusException.BadRequest($"container {requested} is not valid for pod {name}");
        return requested;
    }

    public async Task ScaleAsync(HttpContext http, ResourceInfo info, string? ns, string name, string verb, CancellationToken cancellation)
    {
        var current = store.Get(info.Kind, ns, name) ?? throw StatusException.NotFound(info.Kind, name);
        if (verb != "get")
        {
            var text = await ApiHandler.ReadTextAsync(http.Request, cancellation);
            var requested = verb == "update" ? ApiHandler.ParseJson(text) : Patches.MergePatch(ScaleOf(current), ApiHandler.ParseJson(text));
            var replicas = requested?["spec"]?["replicas"].AsLong() ?? 0;
            current = store.Mutate(info.Kind, ns, name, o => ((JsonObject)o["spec"]!)["replicas"] = replicas)!;
        }
        await ApiHandler.WriteJsonAsync(http, 200, ScaleOf(current));
    }

    private static JsonObject ScaleOf(JsonObject obj)
    {
        var selector = obj["spec"]?["selector"];
        var meta = obj.Metadata();
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = obj.Name(), ["namespace"] = obj.Namespace(), ["uid"] = meta.Str("uid"),
                ["resourceVersion"] = meta.Str("resourceVersion"), ["creationTimestamp"] = meta.Str("creationTimestamp"),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0,
                ["selector"] = selector is null ? "" : LabelSelector.FromLabelSelector(selector).ToString(),
            },
        };
    }

    public async Task BindAsync(HttpContext http, string ns, string name, CancellationToken cancellation)
    {
        var binding = await ApiHandler.ReadObjectAsync(http.Request, cancellation);
        var node = binding["target"]?["name"]?.ToString() ?? throw StatusException.BadRequest("binding has no target");
        var pod = store.Get(Pods, ns, name) ?? throw StatusException.NotFound(Pods, name);
        if (pod["spec"]?["nodeName"] is not null)
            throw new StatusException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{pod["spec"]!["nodeName"]}\"");
        store.Mutate(Pods, ns, name, p => ((JsonObject)p["spec"]!)["nodeName"] = node);
        await ApiHandler.WriteJsonAsync(http, 201, ApiHandler.Success());
    }
}
