using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// The real kubectl's <c>port-forward</c> against the simulated cluster: to a pod and to a Service (kubectl picks the
/// pod itself), over the WebSocket tunnel kubectl 1.31 and newer use first and over the plain SPDY upgrade older
/// clients use, then plain HTTP to the local port reaches the pod. Skipped where kubectl is absent.
/// </summary>
public sealed partial class KubectlPortForwardTests : RealClientFixture
{
    /// <summary>kubectl's switch between the WebSocket tunnel (its default) and the SPDY upgrade of older clients.</summary>
    private const string WebSocketsSwitch = "KUBECTL_PORT_FORWARD_WEBSOCKETS";

    [OneTimeSetUp]
    public void RequireKubectl()
    {
        if (ClientProcess.Find("kubectl") is null) Assert.Ignore("kubectl is not installed on this machine; the kubectl port-forward tests need it");
    }

    [TestCase("pod/echo", "true", TestName = "PortForwardToAPodOverTheWebSocketTunnelReachesIt")]
    [TestCase("pod/echo", "false", TestName = "PortForwardToAPodOverAPlainSpdyUpgradeReachesIt")]
    [TestCase("svc/echo", "true", TestName = "PortForwardToAServiceReachesItsPod")]
    public async Task PortForwardReachesThePod(string target, string webSockets)
    {
        var (ns, pod) = await EchoPodAsync();
        var remote = target.StartsWith("svc/") ? "80" : "8080";
        await using var forward = await PortForwardAsync(ns, target, remote, webSockets);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        // Two requests, each on its own connection: every local connection gets its own pair of streams.
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{forward.LocalPort}/hello");
            request.Headers.ConnectionClose = true;
            using var response = await http.SendAsync(request, Timeout);
            var body = await response.Content.ReadAsStringAsync(Timeout);
            Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
            Assert.That(body, Does.Contain(pod), "the echo names the pod that served it");
        }
    }

    [Test]
    public async Task PortForwardToAPortNothingListensOnReportsTheRefusal()
    {
        var (ns, _) = await EchoPodAsync();
        await using var forward = await PortForwardAsync(ns, "pod/echo", "9999", "true");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.That(async () => await http.GetAsync($"http://127.0.0.1:{forward.LocalPort}/", Timeout), Throws.InstanceOf<HttpRequestException>());
        var errors = await forward.ErrorsUntilAsync("connection refused");
        Assert.That(errors, Does.Contain("error forwarding port 9999 to pod"));
    }

    private async Task<Forward> PortForwardAsync(string ns, string target, string remotePort, string webSockets)
    {
        var process = ClientProcess.Start("kubectl", ["--kubeconfig", Kubeconfig, "port-forward", "-n", ns, target, $":{remotePort}"],
            new Dictionary<string, string> { [WebSocketsSwitch] = webSockets });
        var forward = new Forward(process);
        // kubectl prints the local port it chose once it listens; it exits at once when it cannot forward.
        while (await process.StandardOutput.ReadLineAsync(Timeout) is { } line)
            if (ForwardingLine().Match(line) is { Success: true } match)
            {
                forward.LocalPort = int.Parse(match.Groups[1].Value);
                return forward;
            }
        await forward.DisposeAsync();
        Assert.Fail($"kubectl port-forward ended without forwarding: {await process.StandardError.ReadToEndAsync()}");
        return forward;
    }

    [GeneratedRegex(@"^Forwarding from 127\.0\.0\.1:(\d+) ->")]
    private static partial Regex ForwardingLine();

    /// <summary>A running kubectl port-forward; disposing stops it.</summary>
    private sealed class Forward(Process process) : IAsyncDisposable
    {
        private readonly System.Text.StringBuilder errors = new();

        public int LocalPort { get; set; }

        /// <summary>What kubectl wrote to stderr, read until <paramref name="text"/> shows up or kubectl ends.</summary>
        public async Task<string> ErrorsUntilAsync(string text)
        {
            while (!errors.ToString().Contains(text) && await process.StandardError.ReadLineAsync(Timeout) is { } line)
                errors.AppendLine(line);
            return errors.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
