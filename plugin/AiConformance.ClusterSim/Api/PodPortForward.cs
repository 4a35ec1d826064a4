using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Network.Spdy;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>How port-forward reaches a port inside a pod (the kubelet connects to localhost in the pod's network).</summary>
/// <exception cref="SocketException">ConnectionRefused when nothing in the pod listens there.</exception>
public delegate ValueTask<Stream> PodPortConnector(JsonObject pod, int port, CancellationToken cancellation);

/// <summary>
/// <c>pods/portforward</c> as the kubelet serves it behind kube-apiserver: a SPDY connection (tunnelled in a
/// WebSocket or upgraded plainly, see <see cref="SpdyUpgrade"/>) with protocol <c>portforward.k8s.io</c>. For each
/// local connection the client opens an error stream and a data stream with the same <c>port</c> and
/// <c>requestID</c> headers; the pair is connected to that port of the pod; bytes flow both ways; when the pod closes
/// its side, the data stream is closed, and the error stream after it carries the failure, if any.
/// </summary>
internal sealed class PodPortForward(ClusterStore store)
{
    public const string Protocol = "portforward.k8s.io";
    private static readonly ResourceKind Pods = new("", "v1", "Pod", "pods", true);

    public PodPortConnector? Connect { get; set; }

    public async Task ServeAsync(HttpContext http, string ns, string name, CancellationToken cancellation)
    {
        var pod = store.Get(Pods, ns, name) ?? throw StatusException.NotFound(Pods, name);
        if (!SpdyUpgrade.IsRequested(http))
            throw StatusException.BadRequest(http.WebSockets.IsWebSocketRequest
                ? $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(" ", http.WebSockets.WebSocketRequestedProtocols)}], server supports [{SpdyUpgrade.TunnelPrefix}{Protocol}]"
                : "Upgrade request required");
        var connect = Connect ?? throw new StatusException(503, "ServiceUnavailable", "no pod network in this server");
        var (transport, _) = await SpdyUpgrade.AcceptAsync(http, [Protocol]);
        await using (transport)
        {
            var pairs = new StreamPairs();
            var connection = new SpdyServerConnection(transport, stream => pairs.Add(stream) is { } pair
                ? ForwardAsync(pair.Data, pair.Error, pod, connect, cancellation)
                : Task.CompletedTask);
            await connection.RunAsync(cancellation);
        }
    }

    /// <summary>Connects a data stream to the pod's port until the pod closes its side.</summary>
    private static async Task ForwardAsync(SpdyStream data, SpdyStream error, JsonObject pod, PodPortConnector connect, CancellationToken cancellation)
    {
        string? failure = null;
        try
        {
            var port = PortOf(data);
            await using var target = await connect(pod, port, cancellation);
            // The client's FIN half-closes the connection to the pod, as the kubelet does; the pod's answer may follow.
            _ = CopyThenShutdownAsync(data.Input, target, cancellation);
            await target.CopyToAsync(data.AsDuplex(), cancellation);
        }
        catch (PortForwardException e)
        {
            failure = e.Message;
        }
        catch (SocketException e)
        {
            var port = data.Headers.GetValueOrDefault("port");
            var reason = e.SocketErrorCode == SocketError.ConnectionRefused ? "connect: connection refused" : "connect: no route to host";
            failure = $"error forwarding port {port} to pod {pod.Uid()}, uid : failed to connect to localhost:{port} inside namespace " +
                      $"\"{pod.Namespace()}/{pod.Name()}\", IPv4: dial tcp4 127.0.0.1:{port}: {reason}";
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client or the pod went away mid-copy: the streams end below.
        }
        await data.CloseAsync(CancellationToken.None);
        if (failure is not null && !error.IsReset)
        {
            try { await error.WriteAsync(Encoding.UTF8.GetBytes(failure), CancellationToken.None); }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException) { }
        }
        await error.CloseAsync(CancellationToken.None);
    }

    private static async Task CopyThenShutdownAsync(Stream from, Stream to, CancellationToken cancellation)
    {
        try
        {
            await from.CopyToAsync(to, cancellation);
            if (to is NetworkStream network) network.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>The <c>port</c> header, checked as the kubelet checks it.</summary>
    private static int PortOf(SpdyStream stream)
    {
        if (!stream.Headers.TryGetValue("port", out var text)) throw new PortForwardException("\"port\" header is required");
        if (!ushort.TryParse(text, out var port)) throw new PortForwardException($"unable to parse \"{text}\" as a port: strconv.ParseUint: parsing \"{text}\": invalid syntax");
        if (port == 0) throw new PortForwardException($"port \"{text}\" must be > 0");
        return port;
    }

    /// <summary>
    /// The client's streams paired by <c>requestID</c> (clients older than the header: the data stream's id less
    /// two, as the kubelet guesses). A pair is complete once both its error and data stream arrived.
    /// </summary>
    private sealed class StreamPairs
    {
        private readonly Dictionary<string, (SpdyStream? Data, SpdyStream? Error)> waiting = [];

        public (SpdyStream Data, SpdyStream Error)? Add(SpdyStream stream)
        {
            var type = stream.Headers.GetValueOrDefault("streamType");
            var id = stream.Headers.GetValueOrDefault("requestID") ?? (type == "data" ? stream.Id - 2 : stream.Id).ToString();
            lock (waiting)
            {
                var pair = waiting.GetValueOrDefault(id);
                pair = type switch
                {
                    "data" => pair with { Data = stream },
                    "error" => pair with { Error = stream },
                    _ => pair,
                };
                if (pair is { Data: { } data, Error: { } error })
                {
                    waiting.Remove(id);
                    return (data, error);
                }
                waiting[id] = pair;
                return null;
            }
        }
    }

    private sealed class PortForwardException(string message) : Exception(message);
}
