using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// <c>pods/exec</c> over WebSocket at the frame level, as kubectl and the language clients speak it: the channel
/// subprotocols, output on the stdout channel, the exit status on the error channel.
/// </summary>
public sealed class ExecOverWebSocketTests : RealClientFixture
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

    private async Task<(string? Protocol, List<byte[]> Frames)> ExecAsync(string ns, string pod, string protocol, params string[] command)
    {
        using var http = Host.Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        socket.Options.SetRequestHeader("Authorization", http.DefaultRequestHeaders.Authorization!.ToString());
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var query = string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c))) + "&stdout=true&stderr=true";
        var uri = new Uri(Host.Server.BaseUrl.Replace("https://", "wss://") + $"/api/v1/namespaces/{ns}/pods/{pod}/exec?{query}");
        await socket.ConnectAsync(uri, Timeout);
        var frames = new List<byte[]>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), Timeout);
                message.Write(buffer, 0, received.Count);
            } while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close) break;
            frames.Add(message.ToArray());
        }
        return (socket.SubProtocol, frames);
    }

    private static string Text(IEnumerable<byte[]> frames, byte channel) =>
        string.Concat(frames.Where(f => f.Length > 0 && f[0] == channel).Select(f => Encoding.UTF8.GetString(f, 1, f.Length - 1)));
}
