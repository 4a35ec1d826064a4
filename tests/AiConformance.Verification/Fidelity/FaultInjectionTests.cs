using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>Injected faults reach the plugin identity as a real server's failures would; the admin is never faulted.</summary>
public sealed class FaultInjectionTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new()
    {
        Faults = new ApiFaults { ApiErrorRate = 1.0, ErrorCode = 429, DropWatchesAfterEvents = 1 },
    };

    [Test]
    public async Task EveryPluginRequestIsThrottledWithRetryAfter()
    {
        using var http = Server.CreateHttpClient();
        using var response = await http.GetAsync("/api/v1/namespaces/default/pods", Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(429));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(await response.Content.ReadAsStringAsync(Timeout), Does.Contain("\"reason\":\"TooManyRequests\""));
    }

    [Test]
    public async Task TheAdminIsNotFaultedAndRequestsAreCounted()
    {
        var before = Server.RequestStatistics.ByVerb.GetValueOrDefault("list");
        await Admin.CoreV1.ListNamespaceAsync(cancellationToken: Timeout);
        Assert.That(Server.RequestStatistics.ByVerb["list"], Is.EqualTo(before + 1));
    }
}

/// <summary>Errors drawn among several codes, as a server that both throttles and is overloaded answers.</summary>
public sealed class SeveralErrorCodesTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new()
    {
        Faults = new ApiFaults { ApiErrorRate = 1.0, ErrorCodes = [429, 503] },
    };

    [Test]
    public async Task EachErrorIsOneOfTheCodesAndBothOccur()
    {
        using var http = Server.CreateHttpClient();
        var codes = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await http.GetAsync("/api/v1/namespaces/default/pods", Timeout);
            codes.Add((int)response.StatusCode);
        }
        Assert.That(codes.Distinct().Order(), Is.EqualTo(new[] { 429, 503 }));
    }
}

/// <summary>A watch the server drops after N events, as a flaky control plane does.</summary>
public sealed class WatchDropTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new() { Faults = new ApiFaults { DropWatchesAfterEvents = 2 } };

    [Test]
    public async Task TheWatchEndsAfterTheConfiguredNumberOfEvents()
    {
        var ns = await NewNamespaceAsync();
        for (var i = 0; i < 4; i++)
            await Plugin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"c{i}"), ns, cancellationToken: Timeout);
        var seen = 0;
        await foreach (var _ in Plugin.CoreV1.WatchListNamespacedConfigMapAsync(ns, cancellationToken: Timeout)) seen++;
        Assert.That(seen, Is.EqualTo(2));
        Assert.That(Server.RequestStatistics.Watches, Is.EqualTo(1));
    }
}

/// <summary>Self-subject reviews answer from the caller's RBAC.</summary>
public sealed class AccessReviewTests : FidelityFixture
{
    [Test]
    public async Task AccessReviewsAnswerForThePluginServiceAccount()
    {
        V1SelfSubjectAccessReview Review(string verb, string resource) => new()
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, NamespaceProperty = "default" },
            },
        };
        var pods = await Plugin.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Review("list", "pods"), cancellationToken: Timeout);
        var secrets = await Plugin.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Review("list", "secrets"), cancellationToken: Timeout);
        Assert.That((pods.Status.Allowed, secrets.Status.Allowed), Is.EqualTo((true, false)));
    }
}
