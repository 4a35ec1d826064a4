using System.Diagnostics;
using System.Net;
using System.Text;

namespace AiConformance.Workloads.Serving;

/// <summary>A response a role's handler returns; the server writes it, with any further headers.</summary>
public sealed record RoleResponse(int Status, string ContentType, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static RoleResponse Json(int status, string body) => new(status, "application/json", body);
}

/// <summary>
/// A small HTTP server on <see cref="HttpListener"/> for the serving roles. It binds every address by default
/// (<c>+</c>): inside a pod, loopback alone would not be reachable through the Service. Requests are served
/// concurrently; stopping goes on serving until no request is in flight and none came for a quiet period (up to
/// <see cref="DrainTimeout"/>) before closing: HttpListener answers a request it has read but not yet handed out
/// with an empty <c>200 OK</c> when it closes, which a client would take for an answer. A request that arrives as the
/// stop begins (its Service has not yet learnt that the pod is going) is thus served, not answered empty.
/// </summary>
public sealed class HttpRoleServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler;
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource aborting = new();
    private Action? stopped;
    private TimeSpan quietPeriod = DefaultQuietPeriod;
    private int inFlight;
    private long lastAccepted;
    private Task? acceptLoop;

    private HttpRoleServer(int port, string host, Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler)
    {
        Port = port;
        this.handler = handler;
        listener.Prefixes.Add($"http://{host}:{port}/");
    }

    public int Port { get; }

    /// <summary>
    /// HttpListener drops a kept-alive connection once it has been idle 15 s (whatever its TimeoutManager says), and a
    /// request a client sends on it at that moment fails. Announcing a shorter idle timeout makes clients that honour
    /// it (.NET checks it each time it takes a connection from its pool) open a new one instead.
    /// </summary>
    private const string KeepAlive = "timeout=10";

    /// <summary>How long a stop waits for requests in flight; well inside a pod's default 30 s termination grace.</summary>
    public static TimeSpan DrainTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a stop waits without a new request before closing, unless <see cref="Start"/> is told otherwise.</summary>
    public static TimeSpan DefaultQuietPeriod { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Starts listening on <paramref name="port"/>; <paramref name="stopped"/> is called once the listener is closed.
    /// A stop closes once no request came for <paramref name="quietPeriod"/> (default <see cref="DefaultQuietPeriod"/>).
    /// </summary>
    /// <exception cref="HttpListenerException">The port cannot be bound (in use, or not allowed).</exception>
    public static HttpRoleServer Start(int port, Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler, string host = "+",
        Action? stopped = null, TimeSpan? quietPeriod = null)
    {
        var server = new HttpRoleServer(port, host, handler) { stopped = stopped, quietPeriod = quietPeriod ?? DefaultQuietPeriod };
        server.listener.Start();
        server.acceptLoop = server.AcceptAsync();
        return server;
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled, then stops gracefully.</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The normal end: a stop signal.
        }
        await StopAsync().ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        if (stopping.IsCancellationRequested) return;
        Volatile.Write(ref lastAccepted, Stopwatch.GetTimestamp());
        stopping.Cancel();
        var drain = Stopwatch.StartNew();
        while ((Volatile.Read(ref inFlight) > 0 || Stopwatch.GetElapsedTime(Volatile.Read(ref lastAccepted)) < quietPeriod) && drain.Elapsed < DrainTimeout)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
        aborting.Cancel();
        listener.Stop();
        if (acceptLoop is not null) await acceptLoop.ConfigureAwait(false);
        listener.Close();
        stopped?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        stopping.Dispose();
        aborting.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!aborting.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The listener was stopped.
                return;
            }
            // Counted before it starts, so that a stop that begins meanwhile waits for it.
            Interlocked.Increment(ref inFlight);
            Volatile.Write(ref lastAccepted, Stopwatch.GetTimestamp());
            _ = ServeAsync(context);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            await RespondAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        RoleResponse response;
        try
        {
            response = await handler(context.Request, aborting.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A handler fault is the server's error, reported to the client rather than ending the process.
            response = RoleResponse.Json(500, $"{{\"error\":{{\"message\":{System.Text.Json.JsonSerializer.Serialize(e.Message)},\"type\":\"server_error\"}}}}");
        }
        try
        {
            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            context.Response.ContentLength64 = bytes.Length;
            // While stopping, each answer closes its connection, so that a kept-alive client connects anew, to a pod that stays.
            if (stopping.IsCancellationRequested) context.Response.KeepAlive = false;
            else context.Response.Headers["Keep-Alive"] = KeepAlive;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away; nothing to answer.
        }
    }
}
