using System.Net;
using System.Text.Json.Nodes;
using AiConformance.Plugin.Cli;
using AiConformance.Workloads.Serving;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class LoadGeneratorTests
{
    /// <summary>A Service in front of two echo pods: requests alternate between them.</summary>
    private static Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> RoundRobin(params EchoResponder[] pods)
    {
        var next = -1;
        return (request, token) => pods[(int)((uint)Interlocked.Increment(ref next) % pods.Length)].HandleAsync(request, token);
    }

    private static int Count(JsonNode summary, string section, string key) => (int?)summary[section]![key] ?? 0;

    [Test]
    public async Task CountsAnswersPerPodAndBackend()
    {
        var stable = new EchoResponder(new PodIdentity("echo-stable-1", "ns", "n1"), "stable");
        var canary = new EchoResponder(new PodIdentity("echo-canary-1", "ns", "n2"), "canary");
        await using var server = LocalServer.Start(RoundRobin(stable, stable, canary));

        var summary = await LoadGenerator.RunAsync(new LoadPlan(server.Url, Requests: 30, Concurrency: 4));

        Assert.Multiple(() =>
        {
            Assert.That((int?)summary["sent"], Is.EqualTo(30));
            Assert.That((int?)summary["ok"], Is.EqualTo(30));
            Assert.That((int?)summary["errors"], Is.Zero);
            Assert.That(Count(summary, "statusCounts", "200"), Is.EqualTo(30));
            Assert.That(Count(summary, "pods", "echo-stable-1"), Is.EqualTo(20));
            Assert.That(Count(summary, "pods", "echo-canary-1"), Is.EqualTo(10));
            Assert.That(Count(summary, "backends", "stable"), Is.EqualTo(20));
            Assert.That(Count(summary, "backends", "canary"), Is.EqualTo(10));
            var latency = summary["latencyMs"]!;
            Assert.That((double?)latency["p50"], Is.GreaterThan(0).And.LessThanOrEqualTo((double)latency["p90"]!));
            Assert.That((double?)latency["p99"], Is.LessThanOrEqualTo((double)latency["max"]!));
        });
    }

    [Test]
    public async Task SummarySoFarNamesTheOldestRequestStillInFlight()
    {
        var first = new TaskCompletionSource();
        var arrived = 0;
        await using var server = LocalServer.Start(async (_, token) =>
        {
            if (Interlocked.Increment(ref arrived) == 1) await first.Task.WaitAsync(token);
            return RoleResponse.Json(200, "{}");
        });
        var plan = new LoadPlan(server.Url, Requests: 6, Concurrency: 2);
        var progress = new LoadProgress(plan);
        var running = LoadGenerator.RunAsync(plan, progress: progress);

        // The other worker sends the five others while the first request is held.
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while ((int?)progress.Summary()["sent"] < 5) await Task.Delay(10, patience.Token);
        var held = progress.Summary();
        first.SetResult();
        var final = await running;

        Assert.Multiple(() =>
        {
            Assert.That((int?)held["started"], Is.EqualTo(6));
            Assert.That((int?)held["oldestInFlight"], Is.InRange(1, 2), "the held request (the first of the two workers' first requests to arrive) is the one in flight");
            Assert.That(final["oldestInFlight"], Is.Null, "nothing is in flight once the load ended");
            Assert.That((int?)final["sent"], Is.EqualTo(6));
        });
    }

    [Test]
    public async Task SendsTheGivenHeaders()
    {
        await using var server = LocalServer.Start((request, _) => Task.FromResult(
            RoleResponse.Json(request.Headers["x-route"] == "canary" ? 200 : 404, "{}")));
        var plan = new LoadPlan(server.Url, 3, Headers: new Dictionary<string, string> { ["x-route"] = "canary" });
        var summary = await LoadGenerator.RunAsync(plan);
        Assert.That((int?)summary["ok"], Is.EqualTo(3));
        Assert.That(summary["pods"]!.AsObject(), Is.Empty, "answers that are not serve-echo JSON name no pod");
    }

    [Test]
    public async Task SendsTheMethodAndBodyAsJsonUnlessAContentTypeIsGiven()
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var server = LocalServer.Start(async (request, token) =>
        {
            using var reader = new StreamReader(request.InputStream);
            seen.Add($"{request.HttpMethod} {request.ContentType} {await reader.ReadToEndAsync(token)}");
            return RoleResponse.Json(200, "{}");
        });
        var json = LoadPlanParser.WithRequest(new LoadPlan(server.Url, 2), "post", "{\"prompt\":\"hi\"}", false, out _)!;
        var text = LoadPlanParser.WithRequest(new LoadPlan(server.Url, 1, Headers: new Dictionary<string, string> { ["Content-Type"] = "text/plain" }),
            "PUT", "hello", true, out _)!;

        var summary = await LoadGenerator.RunAsync(json);
        await LoadGenerator.RunAsync(text);

        Assert.Multiple(() =>
        {
            Assert.That((string?)summary["method"], Is.EqualTo("POST"));
            Assert.That(seen, Is.EquivalentTo(new[]
            {
                "POST application/json; charset=utf-8 {\"prompt\":\"hi\"}", "POST application/json; charset=utf-8 {\"prompt\":\"hi\"}",
                "PUT text/plain hello",
            }));
        });
    }

    [Test]
    public async Task OneConnectionPerRequestOnlyWhenAsked()
    {
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var server = LocalServer.Start((request, _) =>
        {
            connections.AddOrUpdate(request.RemoteEndPoint.ToString(), 1, (_, n) => n + 1);
            return Task.FromResult(RoleResponse.Json(200, "{}"));
        });
        await LoadGenerator.RunAsync(new LoadPlan(server.Url, 5));
        var kept = connections.Count;
        connections.Clear();
        await LoadGenerator.RunAsync(new LoadPlan(server.Url, 5) { NewConnectionPerRequest = true });
        Assert.Multiple(() =>
        {
            Assert.That(kept, Is.EqualTo(1), "kept alive: one connection");
            Assert.That(connections, Has.Count.EqualTo(5), "one connection per request");
        });
    }

    [Test]
    public async Task CountsErrorStatusesAndRefusedConnections()
    {
        var served = 0;
        await using var server = LocalServer.Start((_, _) => Task.FromResult(
            RoleResponse.Json(Interlocked.Increment(ref served) % 3 == 0 ? 503 : 200, "{}")));
        var summary = await LoadGenerator.RunAsync(new LoadPlan(server.Url, 9));
        var refused = await LoadGenerator.RunAsync(new LoadPlan(new Uri($"http://127.0.0.1:{LocalServer.FreePort()}/"), 2));

        Assert.Multiple(() =>
        {
            Assert.That((int?)summary["ok"], Is.EqualTo(6));
            Assert.That((int?)summary["errors"], Is.EqualTo(3));
            Assert.That(Count(summary, "statusCounts", "503"), Is.EqualTo(3));
            Assert.That((int?)refused["sent"], Is.EqualTo(2));
            Assert.That((int?)refused["errors"], Is.EqualTo(2));
            Assert.That(Count(refused, "statusCounts", "connection"), Is.EqualTo(2));
            Assert.That(refused["latencyMs"]!["p50"], Is.Null);
        });
    }

    [Test]
    public async Task DurationBoundsTheRun()
    {
        await using var server = LocalServer.Start(async (_, token) =>
        {
            await Task.Delay(100, token);
            return RoleResponse.Json(200, "{}");
        });
        var summary = await LoadGenerator.RunAsync(new LoadPlan(server.Url, 1000, Concurrency: 2, Duration: TimeSpan.FromSeconds(0.5)));
        Assert.That((int?)summary["sent"], Is.LessThan(50).And.GreaterThan(0));
        Assert.That((double?)summary["durationSeconds"], Is.LessThan(3));
    }

    [TestCase("not a url", 1, 1, null, "--url")]
    [TestCase("ftp://host/x", 1, 1, null, "--url")]
    [TestCase("http://host/", 0, 1, null, "--requests")]
    [TestCase("http://host/", 1, 0, null, "--concurrency")]
    [TestCase("http://host/", 1, 1, -1.0, "--duration")]
    public void BadPlansAreRefusedWithTheOptionNamed(string url, int requests, int concurrency, double? duration, string option)
    {
        var plan = LoadPlanParser.Parse(url, requests, concurrency, duration, [], out var problem);
        Assert.That(plan, Is.Null);
        Assert.That(problem, Does.StartWith(option));
    }

    [Test]
    public void HeadersMustBeNameColonValue()
    {
        Assert.That(LoadPlanParser.Parse("http://h/", 1, 1, null, ["novalue"], out var problem), Is.Null);
        Assert.That(problem, Does.Contain("NAME:VALUE"));
        var plan = LoadPlanParser.Parse("http://h/", 1, 1, null, ["x-route: canary"], out _);
        Assert.That(plan!.Headers!["x-route"], Is.EqualTo("canary"));
    }

    [Test]
    public async Task LoadCommandPrintsOneJsonSummary()
    {
        await using var server = LocalServer.Start(new EchoResponder(new PodIdentity("echo-0", null, null), "b").HandleAsync);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLineApp.InvokeAsync(["load", "--url", server.Url.ToString(), "--requests", "4", "--concurrency", "2"], output, error);
        Assert.That(code, Is.Zero, error.ToString());
        var summary = JsonNode.Parse(output.ToString())!;
        Assert.That(Count(summary, "pods", "echo-0"), Is.EqualTo(4));
    }

    [TestCase(new[] { "load", "--url", "nowhere", "--requests", "3" }, "load: --url")]
    [TestCase(new[] { "load", "--url", "http://h/", "--requests", "-1" }, "load: --requests")]
    [TestCase(new[] { "load", "--url", "http://h/", "--requests", "1", "--method", "GE T" }, "load: --method 'GE T'")]
    [TestCase(new[] { "load", "--url", "http://h/", "--requests", "1", "--body", "{}" }, "load: --body is given with --method GET")]
    [TestCase(new[] { "serve-echo", "--port", "70000" }, "serve-echo: --port is 70000")]
    [TestCase(new[] { "serve-model", "--port", "0" }, "serve-model: --port is 0")]
    [TestCase(new[] { "serve-model", "--model", " " }, "serve-model: --model is empty")]
    [TestCase(new[] { "serve-model", "--time-per-token-ms", "-5" }, "serve-model: --time-per-token-ms is -5")]
    public async Task BadValuesExitTwoWithOneLine(string[] args, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLineApp.InvokeAsync(args, output, error);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.ToString().TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error.ToString(), Does.StartWith(message));
    }

    [TestCase("serve-echo", "--prot")]
    [TestCase("serve-model", "--port=abc")]
    [TestCase("load", "--url")]
    public async Task UnknownOrMalformedFlagsExitTwo(string command, string flag)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLineApp.InvokeAsync([command, flag], output, error);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.StartWith("error:"));
    }
}
