using System.Buffers.Binary;
using System.Text;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace AiConformance.ClusterSim.Network.Spdy;

/// <summary>
/// The name/value header block of SYN_STREAM, SYN_REPLY and HEADERS frames: a 32-bit count, then each name and value
/// with a 32-bit length (several values of one name joined by NUL), all of it zlib-compressed in one context per
/// direction of the connection that starts from <see cref="SpdyHeaderDictionary"/> and is sync-flushed after each
/// block. SharpZipLib is used because .NET's ZLibStream takes no preset dictionary.
/// </summary>
internal static class SpdyHeaderBlock
{
    public static byte[] Serialize(IReadOnlyDictionary<string, string> headers)
    {
        var output = new MemoryStream();
        WriteInt(output, headers.Count);
        foreach (var (name, value) in headers)
        {
            WriteString(output, name.ToLowerInvariant());
            WriteString(output, value);
        }
        return output.ToArray();
    }

    /// <exception cref="SpdyProtocolException">The block is cut short or a length runs past its end.</exception>
    public static Dictionary<string, string> Parse(ReadOnlySpan<byte> block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var count = ReadInt(ref block);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(ref block);
            var value = ReadString(ref block);
            // The spec: a zero-length name or value is ignored, not an error.
            if (name.Length > 0 && value.Length > 0) headers[name] = value;
        }
        return headers;
    }

    private static void WriteInt(Stream output, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteString(Stream output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteInt(output, bytes.Length);
        output.Write(bytes);
    }

    private static int ReadInt(ref ReadOnlySpan<byte> block)
    {
        if (block.Length < 4) throw new SpdyProtocolException("header block cut short");
        var value = BinaryPrimitives.ReadInt32BigEndian(block);
        block = block[4..];
        return value;
    }

    private static string ReadString(ref ReadOnlySpan<byte> block)
    {
        var length = ReadInt(ref block);
        if (length < 0 || length > block.Length) throw new SpdyProtocolException("header block length runs past its end");
        var text = Encoding.UTF8.GetString(block[..length]);
        block = block[length..];
        return text;
    }
}

/// <summary>
/// The compressing side of one direction of a connection: one zlib stream over all its header blocks, announcing the
/// dictionary. Its blocks are stored (level 0), so each ends on a byte boundary as after zlib's sync flush:
/// SharpZipLib's flush at higher levels is a partial flush (empty fixed blocks whose last bits go out with the next
/// frame), and kubectl dropped the connection at the second header block it read (seen with kubectl 1.32). Header
/// blocks are a few hundred bytes, so their size is no concern.
/// </summary>
internal sealed class SpdyHeaderCompressor
{
    private readonly Deflater deflater = new(Deflater.NO_COMPRESSION);
    private readonly byte[] buffer = new byte[4096];

    public SpdyHeaderCompressor() => deflater.SetDictionary(SpdyHeaderDictionary.Bytes);

    public byte[] Compress(IReadOnlyDictionary<string, string> headers)
    {
        deflater.SetInput(SpdyHeaderBlock.Serialize(headers));
        deflater.Flush();
        var output = new MemoryStream();
        int count;
        while ((count = deflater.Deflate(buffer)) > 0) output.Write(buffer, 0, count);
        return output.ToArray();
    }
}

/// <summary>The inflating side of one direction of a connection, fed each header block in the order they came.</summary>
internal sealed class SpdyHeaderDecompressor
{
    private readonly Inflater inflater = new();
    private readonly byte[] buffer = new byte[4096];

    /// <exception cref="SpdyProtocolException">The block is no continuation of the peer's zlib stream.</exception>
    public Dictionary<string, string> Decompress(byte[] compressed)
    {
        var output = new MemoryStream();
        try
        {
            inflater.SetInput(compressed);
            while (true)
            {
                var count = inflater.Inflate(buffer);
                if (count > 0) output.Write(buffer, 0, count);
                else if (inflater.IsNeedingDictionary) inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
                else break;
            }
        }
        catch (ICSharpCode.SharpZipLib.SharpZipBaseException e)
        {
            throw new SpdyProtocolException($"header block does not inflate: {e.Message}");
        }
        return SpdyHeaderBlock.Parse(output.ToArray());
    }
}

/// <summary>A peer broke the SPDY framing; the connection cannot go on.</summary>
public sealed class SpdyProtocolException(string message) : Exception(message);
