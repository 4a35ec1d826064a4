using System.Buffers.Binary;

namespace AiConformance.ClusterSim.Network.Spdy;

/// <summary>
/// Reads and writes SPDY/3.1 frames on one connection. A control frame is the control bit, version 3, its type,
/// 8 bits of flags and a 24-bit length; a data frame is a 31-bit stream id, flags and length. Header blocks use the
/// connection's two compression contexts, so every frame of a connection goes through one framer, and writes are
/// serialized (several streams write at once).
/// </summary>
public sealed class SpdyFramer(Stream transport)
{
    private const ushort Version = 3;
    private const byte FlagFin = 0x01;
    private const int MaxLength = (1 << 24) - 1;
    private const ushort SynStream = 1, SynReply = 2, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, Headers = 8, WindowUpdate = 9;

    private readonly SpdyHeaderCompressor compressor = new();
    private readonly SpdyHeaderDecompressor decompressor = new();
    private readonly SemaphoreSlim writing = new(1, 1);

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    /// <exception cref="SpdyProtocolException">A frame of another SPDY version, or one cut short or malformed.</exception>
    public async Task<SpdyFrame?> ReadAsync(CancellationToken cancellation)
    {
        var header = new byte[8];
        if (!await FillAsync(header, cancellation, endAllowed: true)) return null;
        var flags = header[4];
        var length = (header[5] << 16) | (header[6] << 8) | header[7];
        var payload = new byte[length];
        if (!await FillAsync(payload, cancellation, endAllowed: false)) return null;
        var fin = (flags & FlagFin) != 0;
        if ((header[0] & 0x80) == 0)
            return new DataFrame(StreamId(header), payload, fin);
        var version = BinaryPrimitives.ReadUInt16BigEndian(header) & 0x7fff;
        if (version != Version) throw new SpdyProtocolException($"SPDY version {version} frame; this server speaks SPDY/3.1");
        var type = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        Need(payload, type switch { SynStream => 10, SynReply or Headers or Ping => 4, RstStream or GoAway or WindowUpdate => 8, Settings => 4, _ => 0 });
        return type switch
        {
            SynStream => new SynStreamFrame(StreamId(payload), decompressor.Decompress(payload[10..]), fin,
                StreamId(payload.AsSpan(4)), (byte)(payload[8] >> 5)),
            SynReply => new SynReplyFrame(StreamId(payload), decompressor.Decompress(payload[4..]), fin),
            Headers => new HeadersFrame(StreamId(payload), decompressor.Decompress(payload[4..]), fin),
            RstStream => new RstStreamFrame(StreamId(payload), (SpdyResetStatus)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))),
            Settings => new SettingsFrame(SettingsEntries(payload)),
            Ping => new PingFrame(BinaryPrimitives.ReadUInt32BigEndian(payload)),
            GoAway => new GoAwayFrame(StreamId(payload), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))),
            WindowUpdate => new WindowUpdateFrame(StreamId(payload), StreamId(payload.AsSpan(4))),
            // The spec: a control frame of an unknown type is ignored.
            _ => await ReadAsync(cancellation),
        };
    }

    public async Task WriteAsync(SpdyFrame frame, CancellationToken cancellation)
    {
        await writing.WaitAsync(cancellation);
        try
        {
            // Compressed under the lock: the peer inflates header blocks in the order they arrive.
            var bytes = Serialize(frame);
            await transport.WriteAsync(bytes, cancellation);
            await transport.FlushAsync(cancellation);
        }
        finally
        {
            writing.Release();
        }
    }

    private byte[] Serialize(SpdyFrame frame) => frame switch
    {
        DataFrame data => Data(data),
        SynStreamFrame syn => Control(SynStream, syn.Fin, [.. Int(syn.StreamId), .. Int(syn.AssociatedToStreamId), (byte)(syn.Priority << 5), 0, .. compressor.Compress(syn.Headers)]),
        SynReplyFrame reply => Control(SynReply, reply.Fin, [.. Int(reply.StreamId), .. compressor.Compress(reply.Headers)]),
        HeadersFrame headers => Control(Headers, headers.Fin, [.. Int(headers.StreamId), .. compressor.Compress(headers.Headers)]),
        RstStreamFrame reset => Control(RstStream, false, [.. Int(reset.StreamId), .. Int((int)reset.Status)]),
        SettingsFrame settings => Control(Settings, false, [.. Int(settings.Entries.Count), .. settings.Entries.SelectMany(e => (byte[])[e.Flags, .. Int(e.Id).AsSpan(1), .. Int((int)e.Value)])]),
        PingFrame ping => Control(Ping, false, Int((int)ping.Id)),
        GoAwayFrame goAway => Control(GoAway, false, [.. Int(goAway.LastGoodStreamId), .. Int((int)goAway.Status)]),
        WindowUpdateFrame update => Control(WindowUpdate, false, [.. Int(update.StreamId), .. Int(update.Delta)]),
        _ => throw new ArgumentException($"no SPDY encoding for {frame.GetType().Name}", nameof(frame)),
    };

    private static byte[] Data(DataFrame data)
    {
        if (data.Data.Length > MaxLength) throw new ArgumentException("a data frame holds at most 16 MiB", nameof(data));
        var bytes = new byte[8 + data.Data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, data.StreamId & 0x7fffffff);
        WriteFlagsAndLength(bytes, data.Fin, data.Data.Length);
        data.Data.Span.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    private static byte[] Control(ushort type, bool fin, byte[] payload)
    {
        var bytes = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, 0x8000 | Version);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), type);
        WriteFlagsAndLength(bytes, fin, payload.Length);
        payload.CopyTo(bytes, 8);
        return bytes;
    }

    private static void WriteFlagsAndLength(byte[] bytes, bool fin, int length)
    {
        bytes[4] = fin ? FlagFin : (byte)0;
        bytes[5] = (byte)(length >> 16);
        bytes[6] = (byte)(length >> 8);
        bytes[7] = (byte)length;
    }

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static int StreamId(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32BigEndian(bytes) & 0x7fffffff;

    private static IReadOnlyList<(byte, int, uint)> SettingsEntries(byte[] payload)
    {
        var count = BinaryPrimitives.ReadInt32BigEndian(payload);
        if (count < 0 || payload.Length < 4 + 8L * count) throw new SpdyProtocolException("SETTINGS frame cut short");
        return Enumerable.Range(0, count).Select(i =>
        {
            var entry = payload.AsSpan(4 + 8 * i);
            return (entry[0], (entry[1] << 16) | (entry[2] << 8) | entry[3], BinaryPrimitives.ReadUInt32BigEndian(entry[4..]));
        }).ToList();
    }

    private static void Need(byte[] payload, int length)
    {
        if (payload.Length < length) throw new SpdyProtocolException("control frame cut short");
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the connection ended before its first byte (if allowed).</summary>
    private async Task<bool> FillAsync(byte[] buffer, CancellationToken cancellation, bool endAllowed)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await transport.ReadAsync(buffer.AsMemory(read), cancellation);
            if (count == 0)
            {
                if (read == 0 && (endAllowed || buffer.Length == 0)) return false;
                throw new SpdyProtocolException("connection ended inside a frame");
            }
            read += count;
        }
        return true;
    }
}
