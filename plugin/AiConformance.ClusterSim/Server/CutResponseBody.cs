using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Server;

/// <summary>
/// A response body that breaks after a number of bytes, as a stream does when a load balancer drops it or the API
/// server restarts: the bytes before the cut are sent, then the request is aborted, so Kestrel resets the HTTP/2
/// stream or closes the HTTP/1.1 connection in the middle of the chunked body. The client sees a transport error,
/// never a clean end.
/// </summary>
internal sealed class CutResponseBody(Stream inner, long cutAfter, HttpContext http) : Stream
{
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var room = cutAfter - _written;
        if (buffer.Length <= room)
        {
            _written += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }
        if (room > 0) await inner.WriteAsync(buffer[..(int)room], cancellationToken);
        _written = cutAfter;
        await inner.FlushAsync(cancellationToken);
        http.Abort();
        throw new OperationCanceledException("the stream was cut by an injected fault", http.RequestAborted);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
