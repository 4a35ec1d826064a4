using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AiConformance.ClusterSim.Network.Spdy;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// A command run in a running container: it writes its output through <c>stdout</c> and returns its exit code.
/// </summary>
public delegate Task<int> ContainerCommand(IReadOnlyList<string> command, Action<string> stdout, CancellationToken cancellation);

/// <summary>How <c>pods/exec</c> reaches a container: its command runner, or null when the container is not running.</summary>
public delegate ContainerCommand? PodExec(string ns, string pod, string container);

/// <summary>
/// <c>pods/exec</c> over WebSocket, as kube-apiserver serves kubectl (1.30 and newer) and the language clients: the
/// <c>v5.channel.k8s.io</c> or <c>v4.channel.k8s.io</c> subprotocol, binary frames whose first byte is the channel
/// (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; 255 closes a stream in v5), and the exit status written once on the
/// error channel as the kubelet writes it (Status Success, or NonZeroExitCode with an ExitCode cause). Clients older
/// than kubectl 1.30 get the same v4 protocol over SPDY (<see cref="ServeOverSpdyAsync"/>).
/// </summary>
internal sealed class PodExecStream(ClusterStore store)
{
    public static readonly string[] Subprotocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
    internal const byte Stdin = 0, Stdout = 1, Error = 3;

    public PodExec? Exec { get; set; }

    public async Task ServeAsync(HttpContext http, string ns, string name, CancellationToken cancellation)
    {
        // In kube-apiserver's order: the pod and container, the upgrade, then the kubelet's checks of the options.
        var query = http.Request.Query;
        var (pod, container) = Subresources.PodAndContainer(store, http, ns, name);
        if (pod["status"]?["phase"]?.ToString() is ("Succeeded" or "Failed") and var phase)
            throw StatusException.BadRequest($"cannot exec into a container in a completed pod; current phase is {phase}");
        // SPDY (kubectl before 1.30, or with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): v4.channel.k8s.io, one stream per channel.
        var spdy = !http.WebSockets.IsWebSocketRequest && SpdyUpgrade.IsRequested(http);
        var protocol = spdy ? "" : Negotiate(http);
        var command = query["command"].Select(c => c ?? "").ToList();
        if (command.Count == 0) throw StatusException.BadRequest("you must specify at least 1 command");
        var wantsStdout = QueryParameters.Bool(query, "stdout");
        if (!QueryParameters.Bool(query, "stdin") && !wantsStdout && !QueryParameters.Bool(query, "stderr"))
            throw StatusException.BadRequest("you must specify at least one of stdin, stdout, stderr");
        var run = Exec?.Invoke(ns, name, container) ?? throw StatusException.BadRequest($"container not found (\"{container}\")");
        if (spdy)
        {
            await ServeOverSpdyAsync(http, run, command, cancellation);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        var channels = new ChannelSocket(socket);
        var output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // The simulated commands read no input: stdin, resize events and v5 stream closes change nothing.
        var reading = channels.ReceiveAsync((_, _) => ValueTask.CompletedTask, cancellation)
            .ContinueWith(_ => CancelQuietly(gone), TaskScheduler.Default);
        var sending = SendOutputAsync(channels, output.Reader, cancellation);
        int code;
        try
        {
            code = await run(command, text => { if (wantsStdout) output.Writer.TryWrite(text); }, gone.Token);
        }
        catch (OperationCanceledException) when (gone.IsCancellationRequested)
        {
            code = 137;
        }
        output.Writer.TryComplete();
        await sending;
        if (channels.IsOpen) await channels.SendAsync(Error, Encoding.UTF8.GetBytes(ExitStatus(command, code).ToJsonString()), cancellation);
        await channels.CloseAsync(reading, cancellation);
    }

    /// <summary>
    /// The SPDY form of the v4 protocol, as the kubelet serves it: the client opens an error stream and one stream per
    /// asked channel (<c>streamType</c> stdin, stdout, stderr, and resize with a terminal); once all are there the
    /// command runs, its output goes on the stdout stream, the exit status on the error stream, and each stream is
    /// closed.
    /// </summary>
    private static async Task ServeOverSpdyAsync(HttpContext http, ContainerCommand run, IReadOnlyList<string> command, CancellationToken cancellation)
    {
        var query = http.Request.Query;
        var expected = 1 + new[] { "stdin", "stdout", "stderr", "tty" }.Count(channel => QueryParameters.Bool(query, channel));
        var (transport, _) = await SpdyUpgrade.AcceptAsync(http, [Subprotocols[^1]]);
        await using (transport)
        {
            var streams = new System.Collections.Concurrent.ConcurrentDictionary<string, SpdyStream>();
            var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var connection = new SpdyServerConnection(transport, stream =>
            {
                streams[stream.Headers.GetValueOrDefault("streamType") ?? ""] = stream;
                if (streams.Count >= expected) allOpen.TrySetResult();
                return Task.CompletedTask;
            });
            var serving = connection.RunAsync(cancellation);
            if (await Task.WhenAny(allOpen.Task, serving) == serving) return;
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            _ = serving.ContinueWith(_ => gone.Cancel(), TaskScheduler.Default);
            var stdout = streams.GetValueOrDefault("stdout");
            var output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            var sending = Task.Run(async () =>
            {
                await foreach (var text in output.Reader.ReadAllAsync(cancellation))
                    if (stdout is not null && text.Length > 0) await stdout.WriteAsync(Encoding.UTF8.GetBytes(text), cancellation);
            }, cancellation);
            int code;
            try
            {
                code = await run(command, text => output.Writer.TryWrite(text), gone.Token);
            }
            catch (OperationCanceledException) when (gone.IsCancellationRequested)
            {
                return;
            }
            output.Writer.TryComplete();
            await sending;
            if (streams.GetValueOrDefault("error") is { } error)
                await error.WriteAsync(Encoding.UTF8.GetBytes(ExitStatus(command, code).ToJsonString()), cancellation);
            foreach (var stream in streams.Values) await stream.CloseAsync(cancellation);
            // The client closes the connection once it read everything.
            await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(30), cancellation));
        }
    }

    /// <summary>The exit status on the error channel, as the kubelet's v4 protocol writes it (plain JSON).</summary>
    public static JsonObject ExitStatus(IReadOnlyList<string> command, int code) => code == 0
        ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
        : new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: command '{string.Join(' ', command)}' exited with {code}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = code.ToString() }) },
        };

    /// <summary>
    /// The 400 for a streaming subresource the server cannot serve as asked: kube-apiserver's words without an upgrade,
    /// and what to use instead for another upgrade or a subresource the simulation does not stream.
    /// </summary>
    internal static string UpgradeRequired(HttpContext http, string subresource = "exec")
    {
        var upgrade = http.Request.Headers.Upgrade.ToString();
        if (upgrade.Length == 0) return "Upgrade request required";
        return subresource switch
        {
            "exec" => $"Upgrade request required: the simulated API server streams over WebSocket ({string.Join(", ", Subprotocols)}) or SPDY/3.1, not {upgrade}",
            "attach" => $"Upgrade request required: the simulated API server streams pods/attach over WebSocket ({string.Join(", ", Subprotocols)}) only, not {upgrade} (see the README's limits)",
            _ => $"Upgrade request required: the simulated API server does not stream pods/{subresource} (see the README's limits)",
        };
    }

    /// <summary>The newest channel protocol both sides speak; a request that is no WebSocket upgrade gets the server's 400.</summary>
    internal static string Negotiate(HttpContext http, string subresource = "exec")
    {
        if (!http.WebSockets.IsWebSocketRequest) throw StatusException.BadRequest(UpgradeRequired(http, subresource));
        return Subprotocols.FirstOrDefault(http.WebSockets.WebSocketRequestedProtocols.Contains)
            ?? throw StatusException.BadRequest($"unable to upgrade: unable to negotiate protocol: client supports {string.Join(", ", http.WebSockets.WebSocketRequestedProtocols)}, server supports {string.Join(", ", Subprotocols)}");
    }

    /// <summary>Stops what waits on <paramref name="source"/>; after the stream ended (source disposed) there is nothing to stop.</summary>
    internal static void CancelQuietly(CancellationTokenSource source)
    {
        try { source.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Sends a process's output on the stdout channel as it comes, until the output ends.</summary>
    internal static async Task SendOutputAsync(ChannelSocket channels, ChannelReader<string> output, CancellationToken cancellation)
    {
        await foreach (var text in output.ReadAllAsync(cancellation))
            if (text.Length > 0 && channels.IsOpen)
                await channels.SendAsync(Stdout, Encoding.UTF8.GetBytes(text), cancellation);
    }
}
