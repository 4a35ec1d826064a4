using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>Watches as informers and the KubernetesClient use them: resume, selectors, bookmarks, 410 Expired.</summary>
public sealed class WatchTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new() { WatchHistoryLimit = 20 };

    [Test]
    public async Task WatchResumesAfterTheListResourceVersion()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("before"), ns, cancellationToken: Timeout);
        var list = await Plugin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout);
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("after"), ns, cancellationToken: Timeout);
        await Plugin.CoreV1.DeleteNamespacedPodAsync("before", ns, cancellationToken: Timeout);

        var seen = await CollectAsync(ns, list.Metadata.ResourceVersion, count: 2);
        Assert.That(seen, Is.EqualTo(new[] { "Added after", "Deleted before" }));
    }

    [Test]
    public async Task WatchWithoutResourceVersionStartsWithTheCurrentObjects()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("existing"), ns, cancellationToken: Timeout);
        var seen = await CollectAsync(ns, resourceVersion: null, count: 1);
        Assert.That(seen, Is.EqualTo(new[] { "Added existing" }));
    }

    [Test]
    public async Task WatchDeliversOnlyObjectsMatchingTheLabelSelector()
    {
        var ns = await NewNamespaceAsync();
        var rv = (await Plugin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Metadata.ResourceVersion;
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("other", new Dictionary<string, string> { ["app"] = "other" }), ns, cancellationToken: Timeout);
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("mine", new Dictionary<string, string> { ["app"] = "mine" }), ns, cancellationToken: Timeout);
        var seen = await CollectAsync(ns, rv, count: 1, labelSelector: "app=mine");
        Assert.That(seen, Is.EqualTo(new[] { "Added mine" }));
    }

    [Test]
    public async Task AnObjectLeavingOrEnteringTheSelectorIsDeletedOrAddedForTheWatcher()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedPodAsync(Pod("mover", new Dictionary<string, string> { ["app"] = "mine" }), ns, cancellationToken: Timeout);
        var rv = (await Plugin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Metadata.ResourceVersion;
        V1Patch Label(string value) => new($"{{\"metadata\":{{\"labels\":{{\"app\":\"{value}\"}}}}}}", V1Patch.PatchType.MergePatch);
        await Admin.CoreV1.PatchNamespacedPodAsync(Label("other"), "mover", ns, cancellationToken: Timeout);
        await Admin.CoreV1.PatchNamespacedPodAsync(Label("mine"), "mover", ns, cancellationToken: Timeout);
        var seen = await CollectAsync(ns, rv, count: 2, labelSelector: "app=mine");
        Assert.That(seen, Is.EqualTo(new[] { "Deleted mover", "Added mover" }));
    }

    [Test]
    public async Task WatchFromACompactedResourceVersionGetsOneExpiredErrorEvent()
    {
        var ns = await NewNamespaceAsync();
        var old = (await Plugin.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Timeout)).Metadata.ResourceVersion;
        for (var i = 0; i < 25; i++)
            await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"c{i}"), ns, cancellationToken: Timeout);

        using var http = Server.CreateHttpClient();
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={old}", HttpCompletionOption.ResponseHeadersRead, Timeout);
        var body = await response.Content.ReadAsStringAsync(Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), "a watch answers 200 and reports expiry in the stream");
        var line = body.Trim().Split('\n').Single();
        var error = KubernetesJson.Deserialize<WatchLine>(line);
        Assert.That(error.Type, Is.EqualTo("ERROR"));
        Assert.That(error.Object.Code, Is.EqualTo(410));
        Assert.That(error.Object.Reason, Is.EqualTo("Expired"));
        Assert.That(error.Object.Message, Does.StartWith($"too old resource version: {old} ("));
    }

    [Test]
    public async Task BookmarksCloseTheInitialEventsWhenAsked()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), ns, cancellationToken: Timeout);
        using var http = Server.CreateHttpClient();
        using var response = await http.GetAsync(
            $"/api/v1/namespaces/{ns}/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1",
            HttpCompletionOption.ResponseHeadersRead, Timeout);
        var lines = (await response.Content.ReadAsStringAsync(Timeout)).Trim().Split('\n');
        Assert.That(Server.Store.OpenWatches, Is.Zero, "a watch that timed out leaves no subscription behind");
        Assert.That(lines[0], Does.Contain("\"type\":\"ADDED\""));
        Assert.That(lines[1], Does.Contain("\"type\":\"BOOKMARK\"").And.Contain("\"k8s.io/initial-events-end\":\"true\""));
    }

    private async Task<List<string>> CollectAsync(string ns, string? resourceVersion, int count, string? labelSelector = null)
    {
        var seen = new List<string>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await foreach (var (type, pod) in Plugin.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: resourceVersion,
                               labelSelector: labelSelector, cancellationToken: cancel.Token))
            {
                seen.Add($"{type} {pod.Metadata.Name}");
                if (seen.Count == count) break;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the watch delivered only [{string.Join(", ", seen)}] within 10 s");
        }
        return seen;
    }

    private sealed record WatchLine(string Type, V1Status Object);
}
