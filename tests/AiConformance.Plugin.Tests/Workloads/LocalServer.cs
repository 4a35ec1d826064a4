using System.Net;
using System.Net.Sockets;
using AiConformance.Workloads.Serving;

namespace AiConformance.Plugin.Tests.Workloads;

/// <summary>Starts a role's server on a free port, bound as in a pod (every address, any Host), with a loopback client.</summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private LocalServer(HttpRoleServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpRoleServer Server { get; }
    public HttpClient Client { get; }
    public Uri Url => Client.BaseAddress!;

    public static LocalServer Start(Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler, string host = "+") =>
        new(HttpRoleServer.Start(FreePort(), handler, host));

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
