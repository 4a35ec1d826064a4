using System.Text;
using System.Threading.Channels;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The standard streams of a container's main process, as the container runtime keeps them for attach: its output
/// from now on, its stdin (open only when the container was created with <c>stdin: true</c>), and its end.
/// </summary>
public interface IAttachableProcess
{
    /// <summary>Passes what the process writes from now on to <paramref name="output"/> until disposed.</summary>
    IDisposable Follow(Action<string> output);

    /// <summary>Input for the process; dropped when its stdin is not open, as containerd drops it.</summary>
    void Input(string text);

    /// <summary>An attached client's stdin ended: with <c>stdinOnce</c> the process's stdin closes.</summary>
    void InputEnded();

    /// <summary>Completes with the exit code when the process ends.</summary>
    Task<int> Exited { get; }
}

/// <summary>How <c>pods/attach</c> reaches a container's main process: null when the container is not running.</summary>
public delegate IAttachableProcess? PodAttach(string ns, string pod, string container);

/// <summary>
/// <c>pods/attach</c> over WebSocket (<c>v5.channel.k8s.io</c>, <c>v4.channel.k8s.io</c>), as kube-apiserver and the
/// kubelet serve kubectl and the language clients: the main process's output from the moment of attaching on the
/// stdout channel, the client's stdin to the process, and, when the process ends, Success on the error channel (the
/// kubelet's attach reports the end of the streams, not the exit code). Closing the connection detaches; the process
/// keeps running. SPDY is not served for attach: such clients get the 400 of <see cref="PodExecStream.UpgradeRequired"/>.
/// </summary>
internal sealed class PodAttachStream(ClusterStore store)
{

    public PodAttach? Attach { get; set; }

    public async Task ServeAsync(HttpContext http, string ns, string name, CancellationToken cancellation)
    {
        // kube-apiserver's checks (pod, container, node), the upgrade, then the kubelet's (options, running container).
        var query = http.Request.Query;
        var (pod, container) = Subresources.PodAndContainer(store, http, ns, name);
        if (string.IsNullOrEmpty(pod["spec"]?["nodeName"]?.ToString()))
            throw StatusException.BadRequest($"pod {name} does not have a host assigned");
        var protocol = PodExecStream.Negotiate(http, "attach");
        var wantsStdin = QueryParameters.Bool(query, "stdin");
        var wantsOutput = QueryParameters.Bool(query, "stdout") || QueryParameters.Bool(query, "stderr");
        if (!wantsStdin && !wantsOutput) throw StatusException.BadRequest("you must specify at least one of stdin, stdout, stderr");
        var process = Attach?.Invoke(ns, name, container)
            ?? throw new StatusException(500, "InternalError", $"container {container} not found in pod {name}_{ns}");
        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        var channels = new ChannelSocket(socket);
        var output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        // Following before reading the client's input: the answer to its first input is not missed.
        using (wantsOutput ? process.Follow(text => output.Writer.TryWrite(text)) : null)
        {
            var reading = channels.ReceiveAsync((channel, data) =>
            {
                if (!wantsStdin) return ValueTask.CompletedTask;
                if (channel == PodExecStream.Stdin) process.Input(Encoding.UTF8.GetString(data.Span));
                else if (channel == ChannelSocket.CloseChannel && data.Length > 0 && data.Span[0] == PodExecStream.Stdin) process.InputEnded();
                return ValueTask.CompletedTask;
            }, cancellation);
            // The process ending (its output complete) or the client leaving (it detaches) ends the attach.
            var ended = process.Exited.ContinueWith(_ => output.Writer.TryComplete(), TaskScheduler.Default);
            var sending = PodExecStream.SendOutputAsync(channels, output.Reader, cancellation);
            if (await Task.WhenAny(ended, reading) == reading)
            {
                if (wantsStdin) process.InputEnded();
                output.Writer.TryComplete();
                await channels.CloseAsync(reading, cancellation);
                return;
            }
            await sending;
            await channels.SendAsync(PodExecStream.Error, Encoding.UTF8.GetBytes(PodExecStream.ExitStatus([], 0).ToJsonString()), cancellation);
            await channels.CloseAsync(reading, cancellation);
        }
    }
}
