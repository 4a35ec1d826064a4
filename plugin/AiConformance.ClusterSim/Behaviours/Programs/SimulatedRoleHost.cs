using System.Net;
using AiConformance.Workloads;
using AiConformance.Workloads.Probe;
using AiConformance.Workloads.Serving;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// A simulated container as the plugin's roles see it: its view, its pod's host name, the pod network for listening
/// and connecting, and the kubelet's stop (the container's token) as its only stop signal.
/// </summary>
public sealed class SimulatedRoleHost(ProgramContext context) : RoleHost
{
    public override IContainerView View => context.View;

    public override string HostName => context.View.ReadText("/etc/hostname")?.Trim() is { Length: > 0 } name ? name : context.Sandbox.Name;

    public override HttpRoleServer Listen(int port, Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler) =>
        context.Cluster.Network.Serve(context.Sandbox, port, handler);

    public override HttpMessageHandler CreateHttpHandler() => context.Cluster.Network.CreateHttpHandler(context.Sandbox);

    public override IDisposable WatchForStop(TextWriter output, string what, out CancellationToken stop)
    {
        // The kubelet stops a container by cancelling its process, which the role's invocation token already carries.
        stop = CancellationToken.None;
        return NothingToWatch.Instance;
    }

    private sealed class NothingToWatch : IDisposable
    {
        public static readonly NothingToWatch Instance = new();

        public void Dispose()
        {
        }
    }
}
