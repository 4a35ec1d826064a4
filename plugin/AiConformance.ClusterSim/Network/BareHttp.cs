using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiConformance.ClusterSim.Network;

/// <summary>
/// Plain HTTP/1.1 on the pod network for the simulation's own components (exporters, Prometheus), on bare sockets:
/// an HttpListener looks up host names when it starts and an HttpClient reports every request to the runtime's HTTP
/// telemetry, which a simulated run must not show as traffic leaving the machine.
/// </summary>
public static class BareHttp
{
    public sealed record Request(string Method, string Path, string Query, string Body);

    public sealed record Response(int Status, string ContentType, string Body)
    {
        public static Response NotFound { get; } = new(404, "text/plain; charset=utf-8", "404 page not found\n");
    }

    /// <summary>Answers requests to <paramref name="port"/> of the pod with <paramref name="handler"/> until cancelled.</summary>
    public static async Task ServeAsync(PodNetwork network, PodSandbox sandbox, int port, Func<Request, Response> handler, CancellationToken cancellationToken)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var listening = network.Listen(sandbox, port, ((IPEndPoint)listener.LocalEndpoint).Port);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                _ = AnswerAsync(client, handler, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task AnswerAsync(TcpClient client, Func<Request, Response> handler, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.UTF8);
                var requestLine = await reader.ReadLineAsync(cancellationToken) ?? "";
                var length = 0;
                while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } header)
                    if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) int.TryParse(header[15..].Trim(), out length);
                // Content-Length counts bytes; the reader gives characters.
                var body = new StringBuilder();
                var buffer = new char[4096];
                for (var bytesRead = 0; bytesRead < length;)
                {
                    var got = await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, length - bytesRead)), cancellationToken);
                    if (got == 0) break;
                    body.Append(buffer, 0, got);
                    bytesRead += Encoding.UTF8.GetByteCount(buffer, 0, got);
                }
                var (method, target) = requestLine.Split(' ') is [var m, var t, ..] ? (m, t) : ("GET", "/");
                var at = target.IndexOf('?');
                var answer = handler(new Request(method, at >= 0 ? target[..at] : target, at >= 0 ? target[(at + 1)..] : "", body.ToString()));
                var bytes = Encoding.UTF8.GetBytes(answer.Body);
                var reason = ((HttpStatusCode)answer.Status).ToString();
                var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {answer.Status} {reason}\r\nContent-Type: {answer.ContentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(head, cancellationToken);
                await stream.WriteAsync(bytes, cancellationToken);
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException)
            {
                // The client went away: nothing to answer.
            }
        }
    }

    /// <summary>
    /// <c>GET http://host:port/pathAndQuery</c> from <paramref name="client"/>'s pod, as its process would send it.
    /// </summary>
    /// <exception cref="SocketException">The host cannot be reached or refuses the connection.</exception>
    /// <exception cref="IOException">The answer is not HTTP.</exception>
    public static async Task<Response> GetAsync(PodNetwork network, PodSandbox client, string host, int port, string pathAndQuery, CancellationToken cancellationToken)
    {
        await using var stream = await network.ConnectAsync(client, host, port, cancellationToken);
        var request = Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request, cancellationToken);
        using var raw = new MemoryStream();
        await stream.CopyToAsync(raw, cancellationToken);
        var text = Encoding.UTF8.GetString(raw.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0 || !text.StartsWith("HTTP/1.", StringComparison.Ordinal)) throw new IOException($"not an HTTP answer from {host}:{port}");
        var headers = text[..split].Split("\r\n");
        var status = int.Parse(headers[0].Split(' ')[1], CultureInfo.InvariantCulture);
        string Header(string name) => headers.Skip(1).FirstOrDefault(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";
        var body = text[(split + 4)..];
        if (Header("Transfer-Encoding").Equals("chunked", StringComparison.OrdinalIgnoreCase)) body = Unchunked(body);
        return new Response(status, Header("Content-Type"), body);
    }

    private static string Unchunked(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var end = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0) break;
            var size = int.Parse(chunked[at..end].Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) break;
            body.Append(chunked, end + 2, size);
            at = end + 2 + size + 2;
        }
        return body.ToString();
    }
}
