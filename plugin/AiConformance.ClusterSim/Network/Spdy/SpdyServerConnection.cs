using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace AiConformance.ClusterSim.Network.Spdy;

/// <summary>
/// The server side of a SPDY/3.1 connection as the Kubernetes clients use it (moby/spdystream): the client opens every
/// stream (odd ids, increasing), the server accepts each with a SYN_REPLY and hands it to the protocol on top; PINGs
/// the client starts are echoed; SETTINGS and WINDOW_UPDATE are read and ignored, as spdystream neither sends nor
/// honours flow control; a GOAWAY or the end of the connection ends every stream.
/// </summary>
public sealed class SpdyServerConnection(Stream transport, Func<SpdyStream, Task> accept)
{
    private readonly SpdyFramer framer = new(transport);
    private readonly ConcurrentDictionary<int, SpdyStream> streams = new();
    private readonly List<Task> handlers = [];
    private int lastStreamId;

    /// <summary>Serves the connection until the client closes it or goes away; then ends each open stream.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (await framer.ReadAsync(cancellation) is { } frame)
                if (!await HandleAsync(frame, cancellation)) break;
        }
        catch (Exception e) when (e is IOException or SpdyProtocolException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The client went away or broke the framing: nothing more can be said on this connection.
        }
        finally
        {
            foreach (var stream in streams.Values) stream.RemoteClosed();
        }
        Task[] pending;
        lock (handlers) pending = [.. handlers];
        await Task.WhenAll(pending);
    }

    internal Task WriteAsync(SpdyFrame frame, CancellationToken cancellation) => framer.WriteAsync(frame, cancellation);

    internal void Forget(int streamId) => streams.TryRemove(streamId, out _);

    private async Task<bool> HandleAsync(SpdyFrame frame, CancellationToken cancellation)
    {
        switch (frame)
        {
            case SynStreamFrame syn:
                if (syn.StreamId % 2 == 0 || syn.StreamId <= lastStreamId)
                {
                    await WriteAsync(new RstStreamFrame(syn.StreamId, SpdyResetStatus.ProtocolError), cancellation);
                    return true;
                }
                lastStreamId = syn.StreamId;
                var stream = new SpdyStream(this, syn.StreamId, syn.Headers);
                streams[syn.StreamId] = stream;
                if (syn.Fin) stream.RemoteClosed();
                // Replied before the protocol sees it: spdystream's CreateStream waits for the reply.
                await WriteAsync(new SynReplyFrame(syn.StreamId, new Dictionary<string, string>()), cancellation);
                lock (handlers) handlers.Add(Task.Run(() => accept(stream), CancellationToken.None));
                return true;
            case DataFrame data:
                if (streams.TryGetValue(data.StreamId, out var target)) await target.ReceiveAsync(data.Data, data.Fin);
                else await WriteAsync(new RstStreamFrame(data.StreamId, SpdyResetStatus.InvalidStream), cancellation);
                return true;
            case RstStreamFrame reset:
                if (streams.TryRemove(reset.StreamId, out var closed)) closed.Reset();
                return true;
            case PingFrame ping when ping.Id % 2 == 1:
                await WriteAsync(ping, cancellation);
                return true;
            case GoAwayFrame:
                return false;
            default:
                return true;
        }
    }
}

/// <summary>
/// One stream of a <see cref="SpdyServerConnection"/>: its headers, what the client sent (<see cref="Input"/>, ended by
/// its FIN), and the server's side, written as DATA frames and ended by <see cref="CloseAsync"/>.
/// </summary>
public sealed class SpdyStream
{
    private const int MaxChunk = 32 * 1024;
    private readonly SpdyServerConnection connection;
    // Unbounded, as spdystream's own buffering: the connection's one reader must never wait on a slow stream.
    private readonly Pipe received = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
    private int remoteClosed, localClosed;

    internal SpdyStream(SpdyServerConnection connection, int id, IReadOnlyDictionary<string, string> headers)
    {
        this.connection = connection;
        Id = id;
        Headers = headers;
        Input = received.Reader.AsStream();
    }

    public int Id { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>What the client sends on the stream; reads end (0) at its FIN or a reset.</summary>
    public Stream Input { get; }

    /// <summary>Reset by the client or the connection gone: writing is pointless.</summary>
    public bool IsReset { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        for (var offset = 0; offset < data.Length; offset += MaxChunk)
            await connection.WriteAsync(new DataFrame(Id, data.Slice(offset, Math.Min(MaxChunk, data.Length - offset))), cancellation);
    }

    /// <summary>Sends the server's FIN (an empty DATA frame with the flag), once.</summary>
    public async Task CloseAsync(CancellationToken cancellation)
    {
        if (Interlocked.Exchange(ref localClosed, 1) == 1 || IsReset) return;
        try
        {
            await connection.WriteAsync(new DataFrame(Id, ReadOnlyMemory<byte>.Empty, Fin: true), cancellation);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The connection is gone already; there is no one to tell.
        }
        if (Volatile.Read(ref remoteClosed) == 1) connection.Forget(Id);
    }

    /// <summary>A stream that can write (<see cref="WriteAsync"/>) and read (<see cref="Input"/>) as one.</summary>
    public Stream AsDuplex() => new Duplex(this);

    internal async Task ReceiveAsync(ReadOnlyMemory<byte> data, bool fin)
    {
        if (data.Length > 0 && Volatile.Read(ref remoteClosed) == 0) await received.Writer.WriteAsync(data);
        if (fin) RemoteClosed();
    }

    internal void RemoteClosed()
    {
        if (Interlocked.Exchange(ref remoteClosed, 1) == 1) return;
        received.Writer.Complete();
        if (Volatile.Read(ref localClosed) == 1) connection.Forget(Id);
    }

    internal void Reset()
    {
        IsReset = true;
        RemoteClosed();
    }

    private sealed class Duplex(SpdyStream stream) : DuplexStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            stream.Input.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(stream.WriteAsync(buffer, cancellationToken));
    }
}
