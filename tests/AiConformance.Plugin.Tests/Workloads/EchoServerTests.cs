using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.Workloads.Serving;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class EchoServerTests
{
    private static readonly PodIdentity Pod = new("echo-7d9f-abcde", "conformance-gw", "node-2");

    [Test]
    public async Task AnswerNamesThePodAndEchoesTheRequest()
    {
        await using var server = LocalServer.Start(new EchoResponder(Pod, "canary").HandleAsync);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/items?limit=3");
        request.Headers.Add("X-Route", "canary");
        request.Headers.Host = "echo.example.test";

        using var response = await server.Client.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((string?)body["pod"], Is.EqualTo("echo-7d9f-abcde"));
            Assert.That((string?)body["namespace"], Is.EqualTo("conformance-gw"));
            Assert.That((string?)body["node"], Is.EqualTo("node-2"));
            Assert.That((string?)body["backend"], Is.EqualTo("canary"));
            Assert.That((string?)body["method"], Is.EqualTo("PUT"));
            Assert.That((string?)body["path"], Is.EqualTo("/api/v1/items"));
            Assert.That((string?)body["query"], Is.EqualTo("limit=3"));
            Assert.That((string?)body["host"], Is.EqualTo("echo.example.test"));
            Assert.That((string?)body["headers"]!["x-route"], Is.EqualTo("canary"));
        });
    }

    [Test]
    public async Task HealthzAnswersOk()
    {
        await using var server = LocalServer.Start(new EchoResponder(Pod, "b").HandleAsync);
        using var response = await server.Client.GetAsync("/healthz");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void IdentityComesFromTheDownwardApiWithTheHostNameAsFallback()
    {
        var set = new Dictionary<string, string> { ["POD_NAME"] = "web-0", ["POD_NAMESPACE"] = "ns", ["NODE_NAME"] = "n1" };
        Assert.Multiple(() =>
        {
            Assert.That(PodIdentity.From(set.GetValueOrDefault, "host-x"), Is.EqualTo(new PodIdentity("web-0", "ns", "n1")));
            Assert.That(PodIdentity.From(_ => null, "host-x"), Is.EqualTo(new PodIdentity("host-x", null, null)));
            Assert.That(PodIdentity.From(_ => "  ", "host-x").Pod, Is.EqualTo("host-x"));
        });
    }

    [Test]
    public void BackendNameIsTheOptionThenTheVariableThenThePodName()
    {
        var environment = new Dictionary<string, string> { [EchoResponder.BackendVariable] = "from-env" };
        Assert.Multiple(() =>
        {
            Assert.That(EchoResponder.BackendName("from-flag", environment.GetValueOrDefault, Pod), Is.EqualTo("from-flag"));
            Assert.That(EchoResponder.BackendName(null, environment.GetValueOrDefault, Pod), Is.EqualTo("from-env"));
            Assert.That(EchoResponder.BackendName(null, _ => null, Pod), Is.EqualTo(Pod.Pod));
        });
    }

    [Test]
    public async Task DefaultBindingIsEveryAddressAndStopReleasesThePort()
    {
        // "+" is what the pod uses: reachable on the pod IP, so also on loopback.
        var server = LocalServer.Start(new EchoResponder(Pod, "b").HandleAsync);
        var port = server.Server.Port;
        using (var response = await server.Client.GetAsync("/"))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        await server.DisposeAsync();

        using var client = new TcpClient();
        Assert.That(async () => await client.ConnectAsync(IPAddress.Loopback, port), Throws.InstanceOf<SocketException>());
    }

    [Test]
    public async Task StopLetsARequestInFlightFinish()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = LocalServer.Start(async (_, token) =>
        {
            entered.SetResult();
            await Task.Delay(300, token);
            return RoleResponse.Json(200, "{\"finished\":true}");
        });
        var request = server.Client.GetAsync("/slow");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await server.Server.StopAsync();

        using var response = await request;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("finished"));
        await server.DisposeAsync();
    }

    /// <summary>
    /// HttpListener answers a request it has read but not handed out with an empty 200 when it closes. A stop goes on
    /// serving until no request came for its quiet period, so a request that arrives as the stop begins is served; its
    /// answer closes the connection, so that the client connects anew (to a pod that stays) for the next.
    /// </summary>
    [Test]
    public async Task ARequestArrivingAsTheStopBeginsGetsTheHandlersAnswer()
    {
        var port = LocalServer.FreePort();
        var server = HttpRoleServer.Start(port, (_, _) => Task.FromResult(RoleResponse.Json(200, "{\"served\":true}")),
            quietPeriod: TimeSpan.FromSeconds(4));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var stop = server.StopAsync();
        string answer;
        try
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{port}/");
            answer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}, connection close: {response.Headers.ConnectionClose}";
        }
        catch (HttpRequestException error)
        {
            answer = $"not answered: {error.Message}";
        }
        await stop;
        await server.DisposeAsync();

        Assert.That(answer, Is.EqualTo("200 {\"served\":true}, connection close: True"));
    }

    /// <summary>
    /// HttpListener drops a kept-alive connection after 15 s idle; a request sent on it at that moment fails. The
    /// answer announces a shorter idle timeout, and keeps the connection open for the next request meanwhile.
    /// </summary>
    [Test]
    public async Task AnswersAnnounceAnIdleTimeoutShorterThanTheListenersAndKeepTheConnection()
    {
        var echo = new EchoResponder(Pod, "kept");
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var server = LocalServer.Start((request, token) =>
        {
            connections.AddOrUpdate(request.RemoteEndPoint.ToString(), 1, (_, n) => n + 1);
            return echo.HandleAsync(request, token);
        });
        using var first = await server.Client.GetAsync("/");
        using var second = await server.Client.GetAsync("/");

        var announced = first.Headers.TryGetValues("Keep-Alive", out var values) ? string.Join(",", values) : "";
        var timeout = Regex.Match(announced, @"^timeout=(\d+)$");
        Assert.Multiple(() =>
        {
            Assert.That(new[] { first.StatusCode, second.StatusCode }, Has.All.EqualTo(HttpStatusCode.OK));
            Assert.That(first.Headers.ConnectionClose, Is.Not.True, "the connection is kept alive");
            Assert.That(connections, Has.Count.EqualTo(1), "both requests came on the one connection");
            Assert.That(timeout.Success ? int.Parse(timeout.Groups[1].Value, CultureInfo.InvariantCulture) : (int?)null, Is.Not.Null.And.LessThanOrEqualTo(10),
                $"the answer announces an idle timeout well below HttpListener's 15 s (Keep-Alive: '{announced}')");
        });
    }
}
