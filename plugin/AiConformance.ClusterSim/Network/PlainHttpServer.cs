using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AiConformance.ClusterSim.Network;

/// <summary>A request as a simulated server sees it: method, path without query, body.</summary>
public sealed record PlainHttpRequest(string Method, string Path, string Body);

/// <summary>What a simulated server answers.</summary>
public sealed record PlainHttpResponse(int Status, string ContentType, string Body)
{
    public static PlainHttpResponse NotFound { get; } = new(404, "text/plain; charset=utf-8", "404 page not found\n");
}

/// <summary>
/// Plain HTTP/1.1 for the servers of a simulated pod (an exporter, an operator's webhook), one request per connection,
/// on a bare TCP listener that the pod network maps the pod's port to: an HttpListener would look up host names when
/// it starts, and a simulated run looks up none.
/// </summary>
public static class PlainHttpServer
{
    /// <summary>Serves <paramref name="port"/> of the pod until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task ServeAsync(PodNetwork network, PodSandbox sandbox, int port, Func<PlainHttpRequest, PlainHttpResponse> answer,
        CancellationToken cancellationToken)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var listening = network.Listen(sandbox, port, ((IPEndPoint)listener.LocalEndpoint).Port);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                _ = AnswerAsync(client, answer, cancellationToken);
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

    private static async Task AnswerAsync(TcpClient client, Func<PlainHttpRequest, PlainHttpResponse> answer, CancellationToken cancellationToken)
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
                    if (header.Split(':', 2) is [var name, var value] && name.Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                        length = int.Parse(value.Trim(), System.Globalization.CultureInfo.InvariantCulture);
                var body = new StringBuilder();
                var buffer = new char[4096];
                while (Encoding.UTF8.GetByteCount(body.ToString()) < length
                       && await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, length - Encoding.UTF8.GetByteCount(body.ToString()))), cancellationToken) is > 0 and var read)
                    body.Append(buffer, 0, read);
                var (method, path) = requestLine.Split(' ') is [var verb, var target, ..] ? (verb, target.Split('?')[0]) : ("GET", "/");
                var response = answer(new PlainHttpRequest(method, path, body.ToString()));
                var bytes = Encoding.UTF8.GetBytes(response.Body);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {response.Status} {ReasonPhrases.GetReasonPhrase(response.Status)}\r\n" +
                                                   $"Content-Type: {response.ContentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head, cancellationToken);
                await stream.WriteAsync(bytes, cancellationToken);
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException)
            {
                // The client went away: nothing to answer.
            }
        }
    }
}
