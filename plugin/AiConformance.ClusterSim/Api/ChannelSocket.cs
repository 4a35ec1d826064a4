using System.Net.WebSockets;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The channel framing of Kubernetes' WebSocket streaming protocols (<c>channel.k8s.io</c> and its versions), the one
/// piece that exec, attach and port-forward speak: each binary message is one frame whose first byte is the channel
/// and whose rest is the channel's data. In v5 a frame on channel 255 carrying a channel number closes that channel.
/// </summary>
internal sealed class ChannelSocket(WebSocket socket)
{
    public const byte CloseChannel = 255;
    private readonly SemaphoreSlim sending = new(1, 1);

    public bool IsOpen => socket.State == WebSocketState.Open;

    /// <summary>Sends one frame; frames of several channels may be sent concurrently (one message at a time).</summary>
    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame.AsMemory(1));
        await sending.WaitAsync(cancellation);
        try
        {
            if (IsOpen) await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellation);
        }
        finally
        {
            sending.Release();
        }
    }

    /// <summary>
    /// Hands each frame the client sends to <paramref name="frame"/> (channel, data) until the client closes or goes
    /// away; a frame without a channel byte is skipped, as the kubelet skips it.
    /// </summary>
    public async Task ReceiveAsync(Func<byte, ReadOnlyMemory<byte>, ValueTask> frame, CancellationToken cancellation)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), cancellation);
                    if (received.MessageType == WebSocketMessageType.Close) return;
                    message.Write(buffer, 0, received.Count);
                } while (!received.EndOfMessage);
                if (message.Length > 0) await frame(message.GetBuffer()[0], message.GetBuffer().AsMemory(1, (int)message.Length - 1));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
        }
    }

    /// <summary>
    /// Closes the server's side, then gives the client time to read everything and answer the close (<paramref
    /// name="receiving"/> ends then); cancelling the read instead would reset the connection before it read the end.
    /// </summary>
    public async Task CloseAsync(Task receiving, CancellationToken cancellation)
    {
        // After the client's close this answers it, which completes the handshake the client waits for.
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        await sending.WaitAsync(cancellation);
        try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellation); }
        catch (Exception e) when (e is WebSocketException or IOException) { }
        finally { sending.Release(); }
        await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(30), cancellation));
    }
}
