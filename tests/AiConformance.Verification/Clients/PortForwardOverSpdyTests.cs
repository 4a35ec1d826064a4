using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using AiConformance.ClusterSim.Network.Spdy;
using AiConformance.ClusterSim.Server;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// <c>pods/portforward</c> at the frame level, as kubectl speaks it: SPDY/3.1 tunnelled in a WebSocket
/// (<c>SPDY/3.1+portforward.k8s.io</c>, kubectl 1.31 and newer) or after a plain <c>Upgrade: SPDY/3.1</c> (older
/// clients), an error and a data stream per connection, bytes to and from the pod's port, and the kubelet's error
/// when nothing listens there. The handshakes are written by hand: .NET's WebSocket client refuses the '/' in the
/// tunnel's subprotocol, and HttpClient has no plain upgrade.
/// </summary>
public sealed class PortForwardOverSpdyTests : RealClientFixture
{
    public enum Transport { WebSocketTunnel, PlainUpgrade }

    [TestCase(Transport.WebSocketTunnel)]
    [TestCase(Transport.PlainUpgrade)]
    public async Task ADataStreamReachesThePodsPortAndEndsWhenThePodCloses(Transport transport)
    {
        var (ns, pod) = await EchoPodAsync();
        var framer = await ConnectAsync(ns, pod, transport);
        var (data, errors) = await ForwardAsync(framer, port: 8080, "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.That(data, Does.StartWith("HTTP/1.1 200"));
        Assert.That(data, Does.Contain(pod), "the echo names the pod that served it");
        Assert.That(errors, Is.Empty, "nothing on the error stream when the forward worked");
    }

    [Test]
    public async Task APortNothingListensOnIsReportedOnTheErrorStream()
    {
        var (ns, pod) = await EchoPodAsync();
        var framer = await ConnectAsync(ns, pod, Transport.WebSocketTunnel);
        var (data, errors) = await ForwardAsync(framer, port: 9999, "GET / HTTP/1.1\r\n\r\n");
        Assert.That(data, Is.Empty);
        Assert.That(errors, Does.Contain("error forwarding port 9999 to pod").And.Contain("connect: connection refused"));
    }

    [Test]
    public async Task AClientsPingIsEchoed()
    {
        var (ns, pod) = await EchoPodAsync();
        var framer = await ConnectAsync(ns, pod, Transport.PlainUpgrade);
        await framer.WriteAsync(new PingFrame(7), Timeout);
        Assert.That(await framer.ReadAsync(Timeout), Is.EqualTo(new PingFrame(7)));
    }

    [Test]
    public async Task AProtocolTheServerDoesNotSpeakIsRefused()
    {
        var (ns, pod) = await EchoPodAsync();
        var (status, _) = await UpgradeAsync(ns, pod, "POST", ("Upgrade", "SPDY/3.1"), ("X-Stream-Protocol-Version", "portforward.example"));
        // The kubelet's channel protocol for port-forward stops at v4 (ChannelWebSocketTests): v5 is refused at the handshake.
        var (socketStatus, _) = await UpgradeAsync(ns, pod, "GET", WebSocketHeaders("v5.channel.k8s.io"));
        Assert.That((status, socketStatus), Is.EqualTo((403, 403)));
    }

    /// <summary>Opens the error and data streams of one forwarded connection, sends <paramref name="request"/>, and reads both to their end.</summary>
    private static async Task<(string Data, string Errors)> ForwardAsync(SpdyFramer framer, int port, string request)
    {
        var headers = new Dictionary<string, string> { ["port"] = port.ToString(), ["requestID"] = "0" };
        await framer.WriteAsync(new SynStreamFrame(1, new Dictionary<string, string>(headers) { ["streamType"] = "error" }), Timeout);
        await framer.WriteAsync(new DataFrame(1, ReadOnlyMemory<byte>.Empty, Fin: true), Timeout);
        await framer.WriteAsync(new SynStreamFrame(3, new Dictionary<string, string>(headers) { ["streamType"] = "data" }), Timeout);
        await framer.WriteAsync(new DataFrame(3, Encoding.ASCII.GetBytes(request)), Timeout);
        var received = new Dictionary<int, StringBuilder> { [1] = new(), [3] = new() };
        var replied = new HashSet<int>();
        var finished = new HashSet<int>();
        while (finished.Count < 2 && await framer.ReadAsync(Timeout) is { } frame)
        {
            switch (frame)
            {
                case SynReplyFrame reply:
                    replied.Add(reply.StreamId);
                    break;
                case DataFrame data:
                    received[data.StreamId].Append(Encoding.UTF8.GetString(data.Data.Span));
                    if (data.Fin) finished.Add(data.StreamId);
                    break;
            }
        }
        Assert.That(replied, Is.EquivalentTo(new[] { 1, 3 }), "each stream is accepted with a SYN_REPLY");
        Assert.That(finished, Is.EquivalentTo(new[] { 1, 3 }), "the server ends both streams");
        return (received[3].ToString(), received[1].ToString());
    }

    /// <summary>A SPDY connection to the pod's portforward subresource over <paramref name="transport"/>.</summary>
    private async Task<SpdyFramer> ConnectAsync(string ns, string pod, Transport transport)
    {
        if (transport == Transport.PlainUpgrade)
        {
            var (status, connection) = await UpgradeAsync(ns, pod, "POST", ("Upgrade", "SPDY/3.1"), ("X-Stream-Protocol-Version", "portforward.k8s.io"));
            Assert.That(status, Is.EqualTo(101));
            return new SpdyFramer(connection);
        }
        var (socketStatus, stream) = await UpgradeAsync(ns, pod, "GET", WebSocketHeaders(TunnelProtocol));
        Assert.That(socketStatus, Is.EqualTo(101));
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
        return new SpdyFramer(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true));
    }

    private const string TunnelProtocol = "SPDY/3.1+portforward.k8s.io";

    private static (string, string)[] WebSocketHeaders(string protocol) =>
    [
        ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray())), ("Sec-WebSocket-Protocol", protocol),
    ];

    /// <summary>Sends an upgrade request over TLS and reads the answer's head; the connection goes on from there.</summary>
    private async Task<(int Status, Stream Connection)> UpgradeAsync(string ns, string pod, string method, params (string Name, string Value)[] headers)
    {
        using var http = Host.Server.CreateHttpClient(KubeconfigIdentity.Admin);
        var server = new Uri(Host.Server.BaseUrl);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, Timeout);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, Timeout);
        var request = new StringBuilder($"{method} /api/v1/namespaces/{ns}/pods/{pod}/portforward?ports=8080 HTTP/1.1\r\n")
            .Append($"Host: {server.Authority}\r\nAuthorization: {http.DefaultRequestHeaders.Authorization}\r\nConnection: Upgrade\r\nContent-Length: 0\r\n");
        foreach (var (name, value) in headers) request.Append($"{name}: {value}\r\n");
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), Timeout);
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await tls.ReadAsync(one, Timeout) == 0) break;
            head.Add(one[0]);
        }
        var statusLine = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n")[0];
        return (int.Parse(statusLine.Split(' ')[1]), tls);
    }
}
