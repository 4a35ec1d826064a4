using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.Workloads.Serving;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Network;

/// <summary>
/// The pod network of the simulated cluster: each pod sandbox gets an address from its node's pod CIDR (as the
/// host-local IPAM of a CNI plugin hands them out: round the range, never one in use), processes in it listen on
/// its ports (really, on local ports the network maps them to), and connections from a pod go where they would go in
/// a cluster: a name through the cluster DNS, a ClusterIP or node port through kube-proxy, a pod address to that pod.
/// A port nobody listens on refuses the connection; an address no pod has is unreachable.
/// </summary>
public sealed class PodNetwork
{
    private readonly IClusterStore store;
    private readonly Lock gate = new();
    private readonly Dictionary<string, PodSandbox> sandboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> lastOffset = new(StringComparer.Ordinal);

    public PodNetwork(IClusterStore store)
    {
        this.store = store;
        Dns = new ClusterDns(store);
        Proxy = new ServiceProxy(store);
    }

    public ClusterDns Dns { get; }

    /// <summary>Raised when a pod starts or stops listening on a port (its readiness probes may answer differently).</summary>
    public event Action? ListenersChanged;

    public ServiceProxy Proxy { get; }

    public PodSandbox? Sandbox(string podUid)
    {
        lock (gate) return sandboxes.GetValueOrDefault(podUid);
    }

    /// <summary>Sets up the pod's network; the failure is the CNI plugin's error when there is no address to give.</summary>
    public (PodSandbox? Sandbox, string? Failure) Attach(JsonObject pod, JsonObject node)
    {
        var uid = pod.Uid();
        lock (gate)
        {
            if (sandboxes.TryGetValue(uid, out var existing)) return (existing, null);
            var hostNetwork = (bool?)pod["spec"]?["hostNetwork"] == true;
            string? address;
            if (hostNetwork) address = NodeAddress(node);
            else
            {
                var podCidr = (string?)node["spec"]?["podCIDR"];
                if (!Ipv4Cidr.TryParse(podCidr, out var range))
                    return (null, $"failed to setup network for sandbox: plugin type=\"host-local\" failed (add): node {node.Name()} has no pod CIDR");
                address = FreeAddress(node.Name(), range);
                if (address is null)
                    return (null, $"failed to setup network for sandbox: plugin type=\"host-local\" failed (add): failed to allocate for range 0: " +
                                  $"no IP addresses available in range set: {range.At(2)}-{range.At(range.Size - 2)}");
            }
            var sandbox = new PodSandbox(uid, pod.Namespace() ?? "", pod.Name(), node.Name(), address, hostNetwork);
            sandboxes[uid] = sandbox;
            return (sandbox, null);
        }
    }

    /// <summary>
    /// Gives a component that is not a pod (a gateway's data plane behind its load-balancer address) a place on the
    /// network at <paramref name="address"/>: connections to that address reach its listeners as they would a pod's.
    /// <see cref="Detach"/> with the same <paramref name="key"/> takes it off again.
    /// </summary>
    public PodSandbox AttachAddress(string key, string ns, string name, string address)
    {
        lock (gate)
        {
            if (sandboxes.TryGetValue(key, out var existing)) return existing;
            var sandbox = new PodSandbox(key, ns, name, "", address, hostNetwork: false);
            sandboxes[key] = sandbox;
            return sandbox;
        }
    }

    /// <summary>Tears the pod's network down: its address is free again and nothing of it answers any more.</summary>
    public void Detach(string podUid)
    {
        lock (gate)
        {
            if (!sandboxes.Remove(podUid, out var sandbox)) return;
            sandbox.StopAll();
        }
        ListenersChanged?.Invoke();
    }

    public static string NodeAddress(JsonObject node) =>
        (node["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(a => (string?)a["type"] == "InternalIP")?["address"]?.GetValue<string>() ?? "";

    /// <summary>The next free address after the last one given on the node (.0 is the network, .1 the bridge's gateway).</summary>
    private string? FreeAddress(string node, Ipv4Cidr range)
    {
        var inUse = sandboxes.Values.Where(s => s.Node == node && !s.HostNetwork).Select(s => s.Ip).ToHashSet(StringComparer.Ordinal);
        var hosts = range.Size - 3;
        var last = lastOffset.GetValueOrDefault(node, 1);
        for (var step = 1; step <= hosts; step++)
        {
            var offset = (last - 2 + step) % hosts + 2;
            var address = range.At(offset);
            if (inUse.Contains(address)) continue;
            lastOffset[node] = offset;
            return address;
        }
        return null;
    }

    /// <summary>Registers a listener of the pod on <paramref name="port"/>; disposing it closes the port again.</summary>
    /// <exception cref="HttpListenerException">Something in the pod already listens on the port.</exception>
    public IDisposable Listen(PodSandbox sandbox, int port, int localPort)
    {
        if (!sandbox.TryListen(port, localPort)) throw AddressInUse();
        ListenersChanged?.Invoke();
        return new Listening(() =>
        {
            sandbox.StopListening(port, localPort);
            ListenersChanged?.Invoke();
        });
    }

    /// <summary>
    /// Starts a real HTTP server for a process of the pod listening on <paramref name="port"/>: it listens on a free
    /// local port, which the network maps the pod's port to until the server stops.
    /// </summary>
    /// <exception cref="HttpListenerException">The pod's port is taken.</exception>
    public HttpRoleServer Serve(PodSandbox sandbox, int port, Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler)
    {
        if (sandbox.ListenerOn(port) is not null) throw AddressInUse();
        for (var attempt = 1; ; attempt++)
        {
            var localPort = FreeLocalPort();
            IDisposable? listening = null;
            HttpRoleServer server;
            try
            {
                server = HttpRoleServer.Start(localPort, handler, stopped: () => listening?.Dispose());
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the free port meanwhile: try another.
                continue;
            }
            // Mapped once it really listens, so that whoever is told of the new listener finds it answering.
            try
            {
                listening = Listen(sandbox, port, localPort);
            }
            catch (HttpListenerException)
            {
                server.StopAsync().GetAwaiter().GetResult();
                throw;
            }
            return server;
        }
    }

    private static int FreeLocalPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static HttpListenerException AddressInUse() => new((int)SocketError.AddressAlreadyInUse, "Address already in use");

    private sealed class Listening(Action close) : IDisposable
    {
        private int closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0) close();
        }
    }

    /// <summary>
    /// What the API server's <c>pods/proxy</c> gets from <paramref name="port"/> of the pod: its answer, or 503 with
    /// kube-apiserver's "error trying to reach service" when the pod has no address or refuses the connection.
    /// </summary>
    public async Task<(int Status, string ContentType, string Body)> ProxyToPodAsync(JsonObject pod, int port, string pathAndQuery, CancellationToken cancellation)
    {
        var ip = (string?)pod["status"]?["podIP"];
        if (ip is null || Sandbox(pod.Uid()) is not { } sandbox)
            return (503, "text/plain; charset=utf-8", $"error trying to reach service: pod {pod.Name()} has no IP address\n");
        using var client = new HttpClient(CreateHttpHandler(sandbox)) { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var answer = await client.GetAsync($"http://{ip}:{port}{pathAndQuery}", cancellation);
            var body = await answer.Content.ReadAsStringAsync(cancellation);
            return ((int)answer.StatusCode, answer.Content.Headers.ContentType?.ToString() ?? "text/plain; charset=utf-8", body);
        }
        catch (HttpRequestException error) when (error.InnerException is SocketException socket)
        {
            var reason = socket.SocketErrorCode == SocketError.ConnectionRefused ? "connect: connection refused" : "connect: no route to host";
            return (503, "text/plain; charset=utf-8", $"error trying to reach service: dial tcp {ip}:{port}: {reason}\n");
        }
    }

    /// <summary>An HTTP handler whose connections leave from <paramref name="client"/>, as its real client's would.</summary>
    public HttpMessageHandler CreateHttpHandler(PodSandbox client) => new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(client, context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken),
    };

    /// <summary>Opens a TCP connection from <paramref name="client"/> to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="SocketException">HostNotFound, HostUnreachable or ConnectionRefused, as the client's kernel would say.</exception>
    public ValueTask<Stream> ConnectAsync(PodSandbox client, string host, int port, CancellationToken cancellationToken) =>
        ConnectLocalAsync(LocalPort(client, Address(client, host), port), cancellationToken);

    /// <summary>
    /// A connection to <paramref name="port"/> on localhost inside the pod's network, where the kubelet's port-forward
    /// connects: what the pod's processes (or, with host networking, its node's) listen on.
    /// </summary>
    /// <exception cref="SocketException">ConnectionRefused when nothing listens there; HostUnreachable when the pod has no network.</exception>
    public ValueTask<Stream> ConnectInsidePodAsync(JsonObject pod, int port, CancellationToken cancellationToken) =>
        ConnectAsync(Sandbox(pod.Uid()) ?? throw new SocketException((int)SocketError.HostUnreachable), "localhost", port, cancellationToken);

    private static async ValueTask<Stream> ConnectLocalAsync(int localPort, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, localPort), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A connection from the control plane (the API server calling an admission webhook) to a Service's port, through
    /// kube-proxy to one of its ready endpoints.
    /// </summary>
    /// <exception cref="SocketException">HostNotFound when there is no such Service; ConnectionRefused when it has no endpoint or nothing listens.</exception>
    public ValueTask<Stream> ConnectToServiceAsync(string ns, string name, int port, CancellationToken cancellationToken)
    {
        var service = store.Get(Kinds.Service, ns, name) ?? throw new SocketException((int)SocketError.HostNotFound);
        var backend = Proxy.Choose(service, port, client: null);
        if (backend.Address is null) throw Refused();
        return ConnectLocalAsync(PodAt(backend.Address)?.ListenerOn(backend.Port) ?? throw Refused(), cancellationToken);
    }

    /// <summary>The address a host name or literal stands for, from the client's point of view.</summary>
    private string Address(PodSandbox client, string host)
    {
        var name = host.Trim('[', ']');
        if (name is "localhost" or "127.0.0.1" or "::1") return client.Ip;
        if (IPAddress.TryParse(name, out _)) return name;
        var addresses = Dns.Resolve(name, client.Namespace);
        // CoreDNS's loadbalance plugin shuffles the answer; the client takes the first.
        return addresses.Count > 0 ? addresses[Random.Shared.Next(addresses.Count)] : throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>The local port of the listener a connection to <paramref name="address"/>:<paramref name="port"/> reaches.</summary>
    private int LocalPort(PodSandbox client, string address, int port)
    {
        var viaService = Proxy.ServiceWithClusterIp(address) is { } service ? Proxy.Choose(service, port, client)
            : NodeAt(address) is not null && Proxy.ServiceWithNodePort(port) is { } nodePort ? Proxy.Choose(nodePort.Service, nodePort.Port, client)
            : null;
        if (viaService is not null)
        {
            // kube-proxy rejects connections to a Service port without endpoints.
            if (viaService.Address is null) throw Refused();
            (address, port) = (viaService.Address, viaService.Port);
        }
        if (address == client.Ip && !client.HostNetwork) return client.ListenerOn(port) ?? throw Refused();
        // A node answers for itself: its host-network pods' ports, else a refusal.
        if (NodeAt(address) is { } node) return HostNetworkListener(node, port)?.ListenerOn(port) ?? throw Refused();
        // An address no pod has (any more): the packets go nowhere.
        var pod = PodAt(address) ?? throw new SocketException((int)SocketError.HostUnreachable);
        return pod.ListenerOn(port) ?? throw Refused();
    }

    private static SocketException Refused() => new((int)SocketError.ConnectionRefused);

    private string? NodeAt(string address) => store.List(Kinds.Node).FirstOrDefault(n => NodeAddress(n) == address)?.Name();

    private PodSandbox? PodAt(string address)
    {
        lock (gate) return sandboxes.Values.FirstOrDefault(s => s.Ip == address && !s.HostNetwork);
    }

    private PodSandbox? HostNetworkListener(string node, int port)
    {
        lock (gate) return sandboxes.Values.FirstOrDefault(s => s.Node == node && s.HostNetwork && s.ListenerOn(port) is not null);
    }
}
