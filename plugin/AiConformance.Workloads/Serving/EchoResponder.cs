using System.Net;
using System.Text.Json.Nodes;

namespace AiConformance.Workloads.Serving;

/// <summary>
/// The <c>serve-echo</c> role: every request is answered with a JSON document naming the pod and backend that served
/// it and echoing the request line, host and headers, so that a routing test can attribute each response.
/// </summary>
public sealed class EchoResponder(PodIdentity pod, string backend)
{
    public const int DefaultPort = 8080;
    public const string BackendVariable = "ECHO_BACKEND";

    public Task<RoleResponse> HandleAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        var path = request.Url?.AbsolutePath ?? "/";
        if (path == "/healthz") return Task.FromResult(RoleResponse.Json(200, "{\"status\":\"ok\"}"));
        var headers = new JsonObject();
        foreach (var name in request.Headers.AllKeys.OfType<string>().Order(StringComparer.OrdinalIgnoreCase))
        {
            headers[name.ToLowerInvariant()] = request.Headers[name];
        }
        var document = Describe(request.HttpMethod, path, request.Url?.Query.TrimStart('?') ?? "", request.UserHostName ?? "", headers);
        return Task.FromResult(RoleResponse.Json(200, document.ToJsonString()));
    }

    internal JsonObject Describe(string method, string path, string query, string host, JsonObject headers) => new()
    {
        ["pod"] = pod.Pod,
        ["namespace"] = pod.Namespace,
        ["node"] = pod.Node,
        ["backend"] = backend,
        ["method"] = method,
        ["path"] = path,
        ["query"] = query,
        ["host"] = host,
        ["headers"] = headers,
    };

    /// <summary>The backend name: the option when given, else <see cref="BackendVariable"/>, else the pod name.</summary>
    public static string BackendName(string? option, Func<string, string?> environment, PodIdentity pod) =>
        !string.IsNullOrWhiteSpace(option) ? option
        : environment(BackendVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : pod.Pod;
}
