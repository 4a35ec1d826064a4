using System.Buffers.Binary;
using System.Text;

namespace AiConformance.ClusterSim.Network.Spdy;

/// <summary>
/// The fixed dictionary of SPDY/3 header compression (section 2.6.10.1 of the draft): both ends of a connection
/// start their zlib contexts with it, so a peer's inflate fails unless it is byte-exact. It is the spec's data: the
/// common header names and values, each with its 4-byte big-endian length, then a run of status lines, dates and
/// media types without lengths.
/// </summary>
internal static class SpdyHeaderDictionary
{
    private static readonly string[] LengthPrefixed =
    [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
        "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
        "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
        "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
        "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
        "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
        "keep-alive", "origin",
    ];

    private const string Tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
        "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
        "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
        "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
        "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
        "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

    public static byte[] Bytes { get; } = Build();

    private static byte[] Build()
    {
        var bytes = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var word in LengthPrefixed)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, word.Length);
            bytes.AddRange(length);
            bytes.AddRange(Encoding.ASCII.GetBytes(word));
        }
        bytes.AddRange(Encoding.ASCII.GetBytes(Tail));
        return bytes.ToArray();
    }
}
