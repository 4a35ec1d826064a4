using System.Net;
using AiConformance.Workloads.Probe;
using AiConformance.Workloads.Serving;

namespace AiConformance.Workloads;

/// <summary>
/// What a role's process gets from the place it runs in: the container it sees (environment, files, programs), its
/// host name, how its server listens on a container port, how its HTTP client connects, and how it learns it must
/// stop. In a pod all of it is the process's own; the simulated cluster gives a simulated container's, so that the
/// roles run the same code in both.
/// </summary>
public abstract class RoleHost
{
    public abstract IContainerView View { get; }

    /// <summary>The container's host name (a pod's is its name).</summary>
    public abstract string HostName { get; }

    /// <summary>Starts serving <paramref name="handler"/> on the container port <paramref name="port"/>; by default on every address, as a pod must.</summary>
    /// <exception cref="HttpListenerException">The port cannot be bound.</exception>
    public virtual HttpRoleServer Listen(int port, Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler) =>
        HttpRoleServer.Start(port, handler);

    /// <summary>The handler a role's HTTP client sends through; by default the network of the host.</summary>
    public virtual HttpMessageHandler CreateHttpHandler() => new SocketsHttpHandler();

    /// <summary>
    /// Watches for the signal that tells the process to stop (SIGTERM, SIGINT), saying <paramref name="what"/> it does
    /// then; <paramref name="stop"/> is cancelled on it. Disposing the result stops watching.
    /// </summary>
    public abstract IDisposable WatchForStop(TextWriter output, string what, out CancellationToken stop);
}
