using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// The channel WebSocket protocols at the frame level, as kubectl and the language clients speak them:
/// <c>pods/exec</c> and <c>pods/attach</c> (output on the stdout channel, input on stdin, the status on the error
/// channel) and <c>pods/portforward</c>'s channel form (a data and an error channel per port, each opened by the port).
/// </summary>
public sealed class ChannelWebSocketTests : RealClientFixture
{
    [TestCase("v5.channel.k8s.io")]
    [TestCase("v4.channel.k8s.io")]
    public async Task OutputAndANonZeroExitCodeComeOnTheirChannels(string protocol)
    {
        var (ns, pod) = await RunningPodAsync();
        var (negotiated, frames) = await ExecAsync(ns, pod, protocol, "sh", "-c", "echo hello; exit 3");
        Assert.That(negotiated, Is.EqualTo(protocol));
        Assert.That(Text(frames, 1), Is.EqualTo("hello\n"));
        var status = JsonNode.Parse(Text(frames, 3))!;
        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("Failure"));
        Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("NonZeroExitCode"));
        Assert.That(status["details"]!["causes"]![0]!.ToJsonString(), Is.EqualTo("""{"reason":"ExitCode","message":"3"}"""));
    }

    [Test]
    public async Task ASucceedingCommandReportsSuccess()
    {
        var (ns, pod) = await RunningPodAsync();
        var (_, frames) = await ExecAsync(ns, pod, "v5.channel.k8s.io", "hostname");
        Assert.That(Text(frames, 1), Is.EqualTo("shell\n"), "the command sees the container's view");
        Assert.That(Text(frames, 3), Is.EqualTo("""{"metadata":{},"status":"Success"}"""));
    }

    [Test]
    public async Task AnUnknownContainerIsABadRequest()
    {
        var (ns, pod) = await RunningPodAsync();
        using var http = Host.Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/pods/{pod}/exec?command=true&stdout=true&container=other", Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(Timeout), Does.Contain("container other is not valid for pod shell"));
    }

    [TestCase("v5.channel.k8s.io")]
    [TestCase("v4.channel.k8s.io")]
    public async Task AttachedInputReachesTheMainProcessAndItsOutputComesBack(string protocol)
    {
        var (ns, pod) = await StdinPodAsync(stdinOnce: true);
        using var socket = await ConnectAsync($"/api/v1/namespaces/{ns}/pods/{pod}/attach?container=main&stdin=true&stdout=true&stderr=true", protocol);
        Assert.That(socket.SubProtocol, Is.EqualTo(protocol));
        await SendAsync(socket, 0, "hello\n");
        Assert.That(await StdoutAsync(socket), Is.EqualTo("hello\n"), "cat echoes what the attached client typed");
        if (protocol != "v5.channel.k8s.io") return;
        // v5 closes stdin; with stdinOnce the process sees the end of its input, ends, and the attach reports Success.
        await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, Timeout);
        var rest = await FramesAsync(socket);
        Assert.That(Text(rest, 3), Is.EqualTo("""{"metadata":{},"status":"Success"}"""));
    }

    [Test]
    public async Task AttachShowsOutputFromTheMomentOfAttachingOnly()
    {
        var (ns, pod) = await StdinPodAsync(stdinOnce: false);
        var path = $"/api/v1/namespaces/{ns}/pods/{pod}/attach?stdin=true&stdout=true";
        using (var first = await ConnectAsync(path, "v5.channel.k8s.io"))
        {
            await SendAsync(first, 0, "before\n");
            Assert.That(await StdoutAsync(first), Is.EqualTo("before\n"));
            await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", Timeout);
        }
        using var second = await ConnectAsync(path, "v5.channel.k8s.io");
        await SendAsync(second, 0, "after\n");
        Assert.That(await StdoutAsync(second), Is.EqualTo("after\n"), "what the process wrote before this attach is not replayed; detaching left it running");
    }

    [Test]
    public async Task AttachToAnUnknownContainerIsABadRequest()
    {
        var (ns, pod) = await RunningPodAsync();
        using var http = Host.Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        using var response = await http.PostAsync($"/api/v1/namespaces/{ns}/pods/{pod}/attach?stdout=true&container=other", null, Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(Timeout), Does.Contain("container other is not valid for pod shell"));
    }

    [Test]
    public async Task AttachToAContainerThatIsNotRunningIsRefusedAsTheKubeletRefusesIt()
    {
        var (ns, pod) = await StdinPodAsync(stdinOnce: true);
        using (var socket = await ConnectAsync($"/api/v1/namespaces/{ns}/pods/{pod}/attach?stdin=true&stdout=true", "v5.channel.k8s.io"))
        {
            await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, Timeout);
            await FramesAsync(socket);
        }
        await PodEventuallyAsync(ns, pod, p => p.Status?.Phase == "Succeeded", "Succeeded once cat read the end of its input");
        var (status, body) = await RefusedAsync($"/api/v1/namespaces/{ns}/pods/{pod}/attach?stdout=true", "v5.channel.k8s.io");
        Assert.That((status, body), Is.EqualTo((500, "container main not found in pod reader_" + ns)));
    }

    [Test]
    public async Task PortForwardOverTheChannelProtocolReachesThePodsPort()
    {
        var (ns, pod) = await EchoPodAsync();
        using var socket = await ConnectAsync($"/api/v1/namespaces/{ns}/pods/{pod}/portforward?ports=8080", "v4.channel.k8s.io");
        byte[] port = [0x90, 0x1F]; // 8080, little-endian
        Assert.That(await FrameAsync(socket), Is.EqualTo((byte[])[0, .. port]), "the data channel opens with its port");
        Assert.That(await FrameAsync(socket), Is.EqualTo((byte[])[1, .. port]), "the error channel opens with its port");
        await SendAsync(socket, 0, "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var frames = await FramesAsync(socket);
        Assert.That(Text(frames, 0), Does.StartWith("HTTP/1.1 200").And.Contain(pod), "the pod's answer on the data channel");
        Assert.That(Text(frames, 1), Is.Empty, "nothing on the error channel when the forward worked");
    }

    [Test]
    public async Task PortForwardOverTheChannelProtocolReportsAPortNothingListensOn()
    {
        var (ns, pod) = await EchoPodAsync();
        using var socket = await ConnectAsync($"/api/v1/namespaces/{ns}/pods/{pod}/portforward?ports=9999", "v4.channel.k8s.io");
        var frames = await FramesAsync(socket);
        var errors = string.Concat(frames.Where(f => f[0] == 1).Select(f => Encoding.UTF8.GetString(f, 1, f.Length - 1)).Skip(1));
        Assert.That(errors, Does.Contain("error forwarding port 9999 to pod").And.Contain("connect: connection refused"));
    }

    [Test]
    public async Task PortForwardOverTheChannelProtocolNeedsItsPorts()
    {
        var (ns, pod) = await EchoPodAsync();
        var (status, body) = await RefusedAsync($"/api/v1/namespaces/{ns}/pods/{pod}/portforward", "v4.channel.k8s.io");
        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("query parameter \"port\" is required"));
    }

    private async Task<(string? Protocol, List<byte[]> Frames)> ExecAsync(string ns, string pod, string protocol, params string[] command)
    {
        var query = string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c))) + "&stdout=true&stderr=true";
        using var socket = await ConnectAsync($"/api/v1/namespaces/{ns}/pods/{pod}/exec?{query}", protocol);
        return (socket.SubProtocol, await FramesAsync(socket));
    }

    private async Task<ClientWebSocket> ConnectAsync(string path, string protocol)
    {
        using var http = Host.Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        socket.Options.SetRequestHeader("Authorization", http.DefaultRequestHeaders.Authorization!.ToString());
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await socket.ConnectAsync(new Uri(Host.Server.BaseUrl.Replace("https://", "wss://") + path), Timeout);
        return socket;
    }

    /// <summary>The status and the Status message of a WebSocket handshake the server refuses.</summary>
    private async Task<(int Status, string Message)> RefusedAsync(string path, string protocol)
    {
        using var http = Host.Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        request.Headers.Add("Sec-WebSocket-Protocol", protocol);
        using var response = await http.SendAsync(request, Timeout);
        var body = await response.Content.ReadAsStringAsync(Timeout);
        return ((int)response.StatusCode, JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body);
    }

    private static Task SendAsync(ClientWebSocket socket, byte channel, string text) =>
        socket.SendAsync((byte[])[channel, .. Encoding.UTF8.GetBytes(text)], WebSocketMessageType.Binary, true, Timeout);

    /// <summary>The text of the next frames on the stdout channel, skipping others, once one arrived.</summary>
    private static async Task<string> StdoutAsync(ClientWebSocket socket)
    {
        while (true)
        {
            var frame = await FrameAsync(socket) ?? throw new AssertionException("the server closed before any output");
            if (frame.Length > 1 && frame[0] == 1) return Encoding.UTF8.GetString(frame, 1, frame.Length - 1);
        }
    }

    /// <summary>The next message, or null when the server closed.</summary>
    private static async Task<byte[]?> FrameAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), Timeout);
            message.Write(buffer, 0, received.Count);
        } while (!received.EndOfMessage);
        return received.MessageType == WebSocketMessageType.Close ? null : message.ToArray();
    }

    /// <summary>Every message until the server closes.</summary>
    private static async Task<List<byte[]>> FramesAsync(ClientWebSocket socket)
    {
        var frames = new List<byte[]>();
        while (await FrameAsync(socket) is { } frame) frames.Add(frame);
        return frames;
    }

    private static string Text(IEnumerable<byte[]> frames, byte channel) =>
        string.Concat(frames.Where(f => f.Length > 0 && f[0] == channel).Select(f => Encoding.UTF8.GetString(f, 1, f.Length - 1)));
}
