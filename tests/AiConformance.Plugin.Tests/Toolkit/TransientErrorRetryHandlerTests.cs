using System.Net;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class TransientErrorRetryHandlerTests
{
    /// <summary>Answers with the given codes in turn, counting the requests.</summary>
    private sealed class ScriptedServer(params HttpStatusCode[] answers) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var status = answers[Math.Min(Requests++, answers.Length - 1)];
            var response = new HttpResponseMessage(status);
            if (status == HttpStatusCode.TooManyRequests) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(10));
            return Task.FromResult(response);
        }
    }

    /// <summary>Loses the connection on the first request, then answers 200.</summary>
    private sealed class ConnectionLostOnce : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Requests++ == 0
                ? throw new HttpRequestException("An error occurred while sending the request.", new IOException("Connection reset by peer"))
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }

    [Test]
    public async Task AReadWhoseConnectionWasLostIsRetriedButACreateIsNot()
    {
        var readServer = new ConnectionLostOnce();
        using var reader = new HttpClient(new TransientErrorRetryHandler { InnerHandler = readServer });
        using var read = await reader.GetAsync("http://cluster/api/v1/nodes");
        var createServer = new ConnectionLostOnce();
        using var creator = new HttpClient(new TransientErrorRetryHandler { InnerHandler = createServer });

        Assert.Multiple(() =>
        {
            Assert.That((read.StatusCode, readServer.Requests), Is.EqualTo((HttpStatusCode.OK, 2)));
            Assert.ThrowsAsync<HttpRequestException>(() => creator.PostAsync("http://cluster/api/v1/namespaces", new StringContent("{}")),
                "a create that may have reached the server is not repeated");
            Assert.That(createServer.Requests, Is.EqualTo(1));
        });
    }

    private static async Task<(HttpStatusCode Status, int Requests)> SendAsync(HttpMethod method, params HttpStatusCode[] answers)
    {
        var server = new ScriptedServer(answers);
        using var client = new HttpClient(new TransientErrorRetryHandler { InnerHandler = server });
        using var response = await client.SendAsync(new HttpRequestMessage(method, "http://cluster/api/v1/nodes") { Content = method == HttpMethod.Post ? new StringContent("{}") : null });
        return (response.StatusCode, server.Requests);
    }

    [Test]
    public async Task ThrottledAndUnavailableAnswersAreRetriedUntilTheServerAnswers()
    {
        var (status, requests) = await SendAsync(HttpMethod.Post, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable, HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(requests, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task InternalErrorIsRetriedForAReadButNotForACreate()
    {
        var read = await SendAsync(HttpMethod.Get, HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        var create = await SendAsync(HttpMethod.Post, HttpStatusCode.InternalServerError, HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo((HttpStatusCode.OK, 2)));
            Assert.That(create, Is.EqualTo((HttpStatusCode.InternalServerError, 1)), "a create that may have happened is not repeated");
        });
    }

    [Test]
    public async Task RetriesStopAfterTheLastAttemptAndRealErrorsAreNotRetried()
    {
        var unavailable = await SendAsync(HttpMethod.Get, HttpStatusCode.ServiceUnavailable);
        var notFound = await SendAsync(HttpMethod.Get, HttpStatusCode.NotFound);

        Assert.Multiple(() =>
        {
            Assert.That(unavailable, Is.EqualTo((HttpStatusCode.ServiceUnavailable, TransientErrorRetryHandler.Attempts)));
            Assert.That(notFound, Is.EqualTo((HttpStatusCode.NotFound, 1)));
        });
    }
}
