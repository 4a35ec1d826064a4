namespace AiConformance.ClusterSim.Network.Spdy;

/// <summary>A SPDY/3.1 frame, as <see cref="SpdyFramer"/> reads and writes it.</summary>
public abstract record SpdyFrame;

/// <summary>Opens a stream; <paramref name="Fin"/>: the sender sends nothing more on it.</summary>
public sealed record SynStreamFrame(int StreamId, IReadOnlyDictionary<string, string> Headers, bool Fin = false, int AssociatedToStreamId = 0, byte Priority = 0) : SpdyFrame;

/// <summary>Accepts a stream the peer opened.</summary>
public sealed record SynReplyFrame(int StreamId, IReadOnlyDictionary<string, string> Headers, bool Fin = false) : SpdyFrame;

/// <summary>More headers on an open stream.</summary>
public sealed record HeadersFrame(int StreamId, IReadOnlyDictionary<string, string> Headers, bool Fin = false) : SpdyFrame;

/// <summary>Ends a stream abnormally, with one of <see cref="SpdyResetStatus"/>.</summary>
public sealed record RstStreamFrame(int StreamId, SpdyResetStatus Status) : SpdyFrame;

/// <summary>Connection settings (flags, id, value); the Kubernetes clients send none and ignore them.</summary>
public sealed record SettingsFrame(IReadOnlyList<(byte Flags, int Id, uint Value)> Entries) : SpdyFrame;

/// <summary>A liveness check the receiver echoes when the peer started it (odd ids are the client's).</summary>
public sealed record PingFrame(uint Id) : SpdyFrame;

/// <summary>The sender opens no more streams; the last stream id it accepted.</summary>
public sealed record GoAwayFrame(int LastGoodStreamId, uint Status) : SpdyFrame;

/// <summary>SPDY/3.1 flow control: the receiver of a stream (0: the connection) can take this many more bytes.</summary>
public sealed record WindowUpdateFrame(int StreamId, int Delta) : SpdyFrame;

/// <summary>Bytes of a stream; <paramref name="Fin"/>: the sender's last.</summary>
public sealed record DataFrame(int StreamId, ReadOnlyMemory<byte> Data, bool Fin = false) : SpdyFrame;

public enum SpdyResetStatus : uint
{
    ProtocolError = 1,
    InvalidStream = 2,
    RefusedStream = 3,
    UnsupportedVersion = 4,
    Cancel = 5,
    InternalError = 6,
    FlowControlError = 7,
    StreamInUse = 8,
    StreamAlreadyClosed = 9,
    FrameTooLarge = 11,
}
