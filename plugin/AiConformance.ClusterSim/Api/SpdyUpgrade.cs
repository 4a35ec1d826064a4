using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The two ways a client reaches a SPDY/3.1 connection to a streaming subresource, as kube-apiserver offers them: a
/// WebSocket whose subprotocol is the stream protocol behind <c>SPDY/3.1+</c> (kubectl 1.31 and newer tunnel the SPDY
/// frames in binary messages), or a plain HTTP/1.1 <c>Upgrade: SPDY/3.1</c> with the protocol in
/// <c>X-Stream-Protocol-Version</c> (older clients, and the fallback of newer ones).
/// </summary>
internal static class SpdyUpgrade
{
    public const string TunnelPrefix = "SPDY/3.1+";
    private const string Spdy31 = "SPDY/3.1";
    private const string ProtocolHeader = "X-Stream-Protocol-Version";

    /// <summary>Whether the client asks for SPDY, tunnelled or plain.</summary>
    public static bool IsRequested(HttpContext http) =>
        http.WebSockets.IsWebSocketRequest
            ? http.WebSockets.WebSocketRequestedProtocols.Any(p => p.StartsWith(TunnelPrefix, StringComparison.Ordinal))
            : string.Equals(http.Request.Headers.Upgrade, Spdy31, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Switches the connection to SPDY with the first of <paramref name="supported"/> the client offers; the stream it
    /// returns carries the SPDY frames. kube-apiserver's 400 without an upgrade, 403 when no protocol is shared.
    /// </summary>
    public static async Task<(Stream Transport, string Protocol)> AcceptAsync(HttpContext http, IReadOnlyList<string> supported)
    {
        if (http.WebSockets.IsWebSocketRequest)
        {
            var offered = http.WebSockets.WebSocketRequestedProtocols;
            var protocol = supported.FirstOrDefault(p => offered.Contains(TunnelPrefix + p)) ?? throw Unnegotiable(offered, supported.Select(p => TunnelPrefix + p));
            return (new WebSocketTunnel(await AcceptTunnelAsync(http, TunnelPrefix + protocol)), protocol);
        }
        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || !IsRequested(http)) throw StatusException.BadRequest("Upgrade request required");
        var clientProtocols = http.Request.Headers[ProtocolHeader].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        // A client that names no protocol gets the first (httpstream's handshake for legacy clients).
        var chosen = clientProtocols.Count == 0 ? supported[0] : supported.FirstOrDefault(clientProtocols.Contains) ?? throw Unnegotiable(clientProtocols, supported);
        if (clientProtocols.Count > 0) http.Response.Headers[ProtocolHeader] = chosen;
        http.Response.Headers.Connection = "Upgrade";
        http.Response.Headers.Upgrade = Spdy31;
        return (await upgrade.UpgradeAsync(), chosen);
    }

    /// <summary>
    /// The WebSocket handshake (RFC 6455) done here rather than by ASP.NET Core, whose check of subprotocol names
    /// refuses the '/' in <c>SPDY/3.1+...</c> that kube-apiserver and client-go accept.
    /// </summary>
    private static async Task<WebSocket> AcceptTunnelAsync(HttpContext http, string subprotocol)
    {
        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true }) throw StatusException.BadRequest("Upgrade request required");
        var key = http.Request.Headers.SecWebSocketKey.ToString();
        http.Response.Headers.Connection = "Upgrade";
        http.Response.Headers.Upgrade = "websocket";
        http.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        http.Response.Headers.SecWebSocketProtocol = subprotocol;
        var stream = await upgrade.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
    }

    private static StatusException Unnegotiable(IEnumerable<string> client, IEnumerable<string> server) =>
        new(403, "Forbidden", $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(" ", client)}], server supports [{string.Join(" ", server)}]");

    /// <summary>The bytes of a WebSocket's binary messages as one stream, as client-go's tunneling connection sees it.</summary>
    private sealed class WebSocketTunnel(WebSocket socket) : Network.DuplexStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (socket.State is not (WebSocketState.Open or WebSocketState.CloseSent)) return 0;
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close) return 0;
                if (received.Count > 0 || buffer.Length == 0) return received.Count;
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            socket.SendAsync(buffer, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

        public override async ValueTask DisposeAsync()
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None); }
                catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException) { }
            }
            socket.Dispose();
            await base.DisposeAsync();
        }
    }
}
