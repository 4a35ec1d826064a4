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
        if (http.WebSockets.IsWebSocketRequest && !SpdyUpgrade.IsRequested(http))
        {
            await ServeOverChannelsAsync(http, pod, cancellation);
            return;
        }
        if (!SpdyUpgrade.IsRequested(http)) throw StatusException.BadRequest("Upgrade request required");
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
            failure = ConnectFailure(pod, data.Headers.GetValueOrDefault("port"), e);
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

    /// <summary>The kubelet's words when the pod's port cannot be reached.</summary>
    private static string ConnectFailure(JsonObject pod, string? port, SocketException e)
    {
        var reason = e.SocketErrorCode == SocketError.ConnectionRefused ? "connect: connection refused" : "connect: no route to host";
        return $"error forwarding port {port} to pod {pod.Uid()}, uid : failed to connect to localhost:{port} inside namespace " +
               $"\"{pod.Namespace()}/{pod.Name()}\", IPv4: dial tcp4 127.0.0.1:{port}: {reason}";
    }

    /// <summary>
    /// The kubelet's older WebSocket protocol (<c>v4.channel.k8s.io</c>, or none named), which the Python and
    /// JavaScript clients speak: the <c>ports</c> query names the ports; port i has data channel 2i and error channel
    /// 2i+1, the first frame on each carries the port (two bytes, little-endian); each port is connected once, and the
    /// connection ends when every port's connection ended.
    /// </summary>
    private async Task ServeOverChannelsAsync(HttpContext http, JsonObject pod, CancellationToken cancellation)
    {
        var ports = ChannelPorts(http.Request.Query["ports"]);
        var offered = http.WebSockets.WebSocketRequestedProtocols;
        var protocol = offered.Count == 0 ? null : ChannelProtocols.FirstOrDefault(offered.Contains)
            ?? throw new StatusException(403, "Forbidden", $"unable to upgrade websocket connection: requested protocol(s) are not supported: [{string.Join(" ", offered)}]; supports [ {string.Join(" ", ChannelProtocols)}]");
        var connect = Connect ?? throw new StatusException(503, "ServiceUnavailable", "no pod network in this server");
        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        var channels = new ChannelSocket(socket);
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var inputs = ports.Select(_ => System.Threading.Channels.Channel.CreateUnbounded<byte[]>()).ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = BitConverter.GetBytes((ushort)ports[i]);
            if (!BitConverter.IsLittleEndian) Array.Reverse(port);
            await channels.SendAsync((byte)(2 * i), port, cancellation);
            await channels.SendAsync((byte)(2 * i + 1), port, cancellation);
        }
        var reading = channels.ReceiveAsync((channel, data) =>
        {
            if (channel % 2 == 0 && channel / 2 < inputs.Count) inputs[channel / 2].Writer.TryWrite(data.ToArray());
            return ValueTask.CompletedTask;
        }, cancellation).ContinueWith(_ =>
        {
            foreach (var input in inputs) input.Writer.TryComplete();
            PodExecStream.CancelQuietly(gone);
        }, TaskScheduler.Default);
        await Task.WhenAll(ports.Select((port, i) => ForwardChannelsAsync(channels, (byte)(2 * i), port, inputs[i].Reader, pod, connect, gone.Token)));
        await channels.CloseAsync(reading, cancellation);
    }

    public static readonly string[] ChannelProtocols = ["v4.channel.k8s.io"];

    /// <summary>One port of the channel protocol: the client's data to the pod's port and back, or the failure on the error channel.</summary>
    private static async Task ForwardChannelsAsync(ChannelSocket channels, byte dataChannel, int port, System.Threading.Channels.ChannelReader<byte[]> input,
        JsonObject pod, PodPortConnector connect, CancellationToken cancellation)
    {
        try
        {
            await using var target = await connect(pod, port, cancellation);
            _ = CopyThenShutdownAsync(new ChunkStream(input), target, cancellation);
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await target.ReadAsync(buffer, cancellation)) > 0)
                await channels.SendAsync(dataChannel, buffer.AsMemory(0, read), cancellation);
        }
        catch (SocketException e)
        {
            await channels.SendAsync((byte)(dataChannel + 1), Encoding.UTF8.GetBytes(ConnectFailure(pod, port.ToString(), e)), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            // The client or the pod went away mid-copy.
        }
    }

    /// <summary>The <c>ports</c> query of the channel protocol, checked as the kubelet checks it.</summary>
    private static List<int> ChannelPorts(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0) throw StatusException.BadRequest("query parameter \"port\" is required");
        var ports = new List<int>();
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value)) throw StatusException.BadRequest("query parameter \"port\" cannot be empty");
            foreach (var text in value.Split(','))
            {
                if (!ushort.TryParse(text, out var port)) throw StatusException.BadRequest($"unable to parse \"{value}\" as a port: strconv.ParseUint: parsing \"{text}\": invalid syntax");
                if (port == 0) throw StatusException.BadRequest($"port \"{value}\" must be > 0");
                ports.Add(port);
            }
        }
        return ports;
    }

    /// <summary>The client's data frames for one port as a stream, ending when the client's connection ends.</summary>
    private sealed class ChunkStream(System.Threading.Channels.ChannelReader<byte[]> chunks) : Network.DuplexStream
    {
        private ReadOnlyMemory<byte> pending;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (pending.IsEmpty)
            {
                if (!await chunks.WaitToReadAsync(cancellationToken)) return 0;
                chunks.TryRead(out var chunk);
                pending = chunk;
            }
            var count = Math.Min(buffer.Length, pending.Length);
            pending[..count].CopyTo(buffer);
            pending = pending[count..];
            return count;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw new NotSupportedException();
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
