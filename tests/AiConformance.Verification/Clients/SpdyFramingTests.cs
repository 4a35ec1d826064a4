using System.Text;
using AiConformance.ClusterSim.Network.Spdy;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// SPDY/3.1 framing as the Kubernetes clients (moby/spdystream) speak it, without a client: every frame type written
/// and read back, header blocks sharing one zlib context per direction that starts from the spec's dictionary.
/// </summary>
public sealed class SpdyFramingTests
{
    private static readonly Dictionary<string, string> ErrorStream = new() { ["streamType"] = "error", ["port"] = "8080", ["requestID"] = "0" };
    private static readonly Dictionary<string, string> DataStream = new() { ["streamType"] = "data", ["port"] = "8080", ["requestID"] = "0" };

    [Test]
    public async Task HeaderBlocksRoundTripThroughOneCompressionContextPerDirection()
    {
        var frames = await RoundTripAsync(
            new SynStreamFrame(1, ErrorStream, Fin: true),
            new SynStreamFrame(3, DataStream, Priority: 2),
            new SynReplyFrame(3, new Dictionary<string, string>()),
            new HeadersFrame(3, new Dictionary<string, string> { ["note"] = "a\0b" }, Fin: true));
        Assert.That(frames, Has.Count.EqualTo(4));
        var first = (SynStreamFrame)frames[0];
        var second = (SynStreamFrame)frames[1];
        Assert.Multiple(() =>
        {
            Assert.That((first.StreamId, first.Fin), Is.EqualTo((1, true)));
            // Names travel lowercased, as the spec asks; they are read back without regard to case.
            Assert.That(first.Headers.Keys, Is.EquivalentTo(new[] { "streamtype", "port", "requestid" }));
            Assert.That(first.Headers["streamType"], Is.EqualTo("error"));
            Assert.That((second.StreamId, second.Fin, second.Priority), Is.EqualTo((3, false, (byte)2)));
            Assert.That(DataStream.Keys.Select(name => second.Headers[name]), Is.EqualTo(DataStream.Values));
            Assert.That(((SynReplyFrame)frames[2]).Headers, Is.Empty);
            Assert.That(((HeadersFrame)frames[3]).Headers["note"], Is.EqualTo("a\0b"), "several values of one name stay joined by NUL");
        });
    }

    [Test]
    public async Task AHeaderBlockStartsAZlibStreamWithTheSpecsDictionary()
    {
        var bytes = await WriteAsync(new SynStreamFrame(1, DataStream));
        var block = bytes[18..];
        Assert.Multiple(() =>
        {
            Assert.That(bytes[0..4], Is.EqualTo(new byte[] { 0x80, 0x03, 0x00, 0x01 }), "control bit, version 3, SYN_STREAM");
            Assert.That(block[1] & 0x20, Is.EqualTo(0x20), "the zlib header announces a preset dictionary (FDICT)");
            // The Adler-32 of the SPDY/3 dictionary (1,423 bytes), as every SPDY/3 peer checks it.
            Assert.That(Convert.ToHexString(block[2..6]), Is.EqualTo("E3C6A7C2"));
        });
        // A second block continues the stream: without the first one's context it cannot be read.
        var continued = await WriteAsync(new SynStreamFrame(1, DataStream), new SynStreamFrame(3, DataStream));
        var alone = continued[bytes.Length..];
        Assert.That(() => new SpdyFramer(new MemoryStream(alone)).ReadAsync(CancellationToken.None), Throws.InstanceOf<SpdyProtocolException>());
    }

    [Test]
    public async Task EveryFrameTheClientsUseRoundTrips()
    {
        SpdyFrame[] sent =
        [
            new SettingsFrame([(0, 4, 100u), (1, 7, 65536u)]),
            new PingFrame(1),
            new WindowUpdateFrame(3, 4096),
            new DataFrame(3, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n")),
            new DataFrame(3, ReadOnlyMemory<byte>.Empty, Fin: true),
            new RstStreamFrame(5, SpdyResetStatus.Cancel),
            new GoAwayFrame(5, 0),
        ];
        var received = await RoundTripAsync(sent);
        Assert.Multiple(() =>
        {
            Assert.That(((SettingsFrame)received[0]).Entries, Is.EqualTo(((SettingsFrame)sent[0]).Entries));
            Assert.That(received[1], Is.EqualTo(sent[1]));
            Assert.That(received[2], Is.EqualTo(sent[2]));
            Assert.That(Encoding.ASCII.GetString(((DataFrame)received[3]).Data.Span), Is.EqualTo("GET / HTTP/1.1\r\n\r\n"));
            Assert.That(((DataFrame)received[4]) is { StreamId: 3, Fin: true, Data.Length: 0 });
            Assert.That(received[5], Is.EqualTo(sent[5]));
            Assert.That(received[6], Is.EqualTo(sent[6]));
        });
    }

    [Test]
    public void AFrameOfAnotherVersionIsAProtocolError()
    {
        byte[] spdy2Ping = [0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01];
        Assert.That(() => new SpdyFramer(new MemoryStream(spdy2Ping)).ReadAsync(CancellationToken.None),
            Throws.InstanceOf<SpdyProtocolException>().With.Message.Contains("version 2"));
    }

    private static async Task<byte[]> WriteAsync(params SpdyFrame[] frames)
    {
        var wire = new MemoryStream();
        var writer = new SpdyFramer(wire);
        foreach (var frame in frames) await writer.WriteAsync(frame, CancellationToken.None);
        return wire.ToArray();
    }

    private static async Task<List<SpdyFrame>> RoundTripAsync(params SpdyFrame[] frames)
    {
        var reader = new SpdyFramer(new MemoryStream(await WriteAsync(frames)));
        var read = new List<SpdyFrame>();
        while (await reader.ReadAsync(CancellationToken.None) is { } frame) read.Add(frame);
        return read;
    }
}
