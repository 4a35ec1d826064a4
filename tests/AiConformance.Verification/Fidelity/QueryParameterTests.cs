using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>
/// Query parameters as kube-apiserver decodes them: booleans as apimachinery's parameter codec reads them (false only
/// for 0 and false in any case), integers as Go's ParseInt with its error text, resourceVersionMatch and
/// sendInitialEvents validated as ListOptions, lists at an exact or minimum resourceVersion.
/// </summary>
public sealed class QueryParameterTests : FidelityFixture
{
    [TestCase("true")]
    [TestCase("True")]
    [TestCase("TRUE")]
    [TestCase("1")]
    [TestCase("t")]
    [TestCase("")]
    public async Task AnyWatchValueButFalseOrZeroWatches(string value)
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("seen"), ns, cancellationToken: Timeout);
        var body = await GetTextAsync($"/api/v1/namespaces/{ns}/configmaps?watch={value}&timeoutSeconds=1");
        Assert.That(body.Trim().Split('\n')[0], Does.StartWith("{\"type\":\"ADDED\"").And.Contain("\"name\":\"seen\""));
    }

    [TestCase("false")]
    [TestCase("False")]
    [TestCase("FALSE")]
    [TestCase("0")]
    public async Task FalseOrZeroLists(string value)
    {
        var ns = await NewNamespaceAsync();
        var list = JsonNode.Parse(await GetTextAsync($"/api/v1/namespaces/{ns}/configmaps?watch={value}"))!;
        Assert.That(list["kind"]!.GetValue<string>(), Is.EqualTo("ConfigMapList"));
    }

    [TestCase("limit=abc", "strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [TestCase("limit=", "strconv.ParseInt: parsing \"\": invalid syntax")]
    [TestCase("limit=99999999999999999999", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    [TestCase("watch=true&timeoutSeconds=1.5", "strconv.ParseInt: parsing \"1.5\": invalid syntax")]
    public async Task ABadIntegerIsABadRequestWithGosError(string query, string message)
    {
        var status = await GetStatusAsync($"/api/v1/namespaces/default/configmaps?{query}");
        Assert.That((status.Code, status.Reason, status.Message), Is.EqualTo((400, "BadRequest", message)));
    }

    [TestCase("resourceVersionMatch=Exact",
        "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")]
    [TestCase("resourceVersion=1&resourceVersionMatch=Newest",
        "resourceVersionMatch: Unsupported value: \"Newest\": supported values: \"Exact\", \"NotOlderThan\", \"\"")]
    [TestCase("resourceVersion=0&resourceVersionMatch=Exact",
        "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")]
    [TestCase("sendInitialEvents=true", "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list")]
    [TestCase("watch=1&sendInitialEvents=true&allowWatchBookmarks=true",
        "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")]
    [TestCase("watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
        "allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true")]
    [TestCase("watch=1&resourceVersionMatch=NotOlderThan",
        "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")]
    public async Task MisusedListOptionsAreInvalid(string query, string message)
    {
        var status = await GetStatusAsync($"/api/v1/namespaces/default/configmaps?{query}");
        Assert.That((status.Code, status.Reason), Is.EqualTo((422, "Invalid")));
        Assert.That(status.Message, Is.EqualTo($"ListOptions.meta.k8s.io \"\" is invalid: {message}"));
        Assert.That(status.Details.Group, Is.EqualTo("meta.k8s.io"));
    }

    [Test]
    public async Task AnExactListShowsThePastAndNotOlderThanTheCurrentState()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("early"), ns, cancellationToken: Timeout);
        await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"v":"1"}}""", V1Patch.PatchType.MergePatch), "early", ns, cancellationToken: Timeout);
        var then = (await Admin.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Timeout)).Metadata.ResourceVersion;
        await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"v":"2"}}""", V1Patch.PatchType.MergePatch), "early", ns, cancellationToken: Timeout);
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("late"), ns, cancellationToken: Timeout);

        var exact = await Admin.CoreV1.ListNamespacedConfigMapAsync(ns, resourceVersion: then, resourceVersionMatch: "Exact", cancellationToken: Timeout);
        Assert.That(exact.Metadata.ResourceVersion, Is.EqualTo(then));
        Assert.That(exact.Items.Select(Version), Is.EqualTo(new[] { "early=1" }));

        var notOlder = await Admin.CoreV1.ListNamespacedConfigMapAsync(ns, resourceVersion: then, resourceVersionMatch: "NotOlderThan", cancellationToken: Timeout);
        Assert.That(notOlder.Items.Select(Version), Is.EqualTo(new[] { "early=2", "late=" }));
        Assert.That(long.Parse(notOlder.Metadata.ResourceVersion), Is.GreaterThan(long.Parse(then)));
    }

    private static string Version(V1ConfigMap map) => $"{map.Metadata.Name}={(map.Data is { } data && data.TryGetValue("v", out var v) ? v : "")}";

    [Test]
    public async Task AListFromAFutureVersionIsTooLarge()
    {
        var future = Server.Store.ResourceVersion + 1000;
        var status = await GetStatusAsync($"/api/v1/namespaces/default/configmaps?resourceVersion={future}");
        Assert.That((status.Code, status.Reason), Is.EqualTo((504, "Timeout")));
        Assert.That(status.Message, Does.StartWith($"Timeout: Too large resource version: {future}, current: "));
        Assert.That(status.Details.Causes.Single().Reason, Is.EqualTo("ResourceVersionTooLarge"));
    }

    [Test]
    public async Task AWatchWithoutInitialEventsStartsAtTheCurrentState()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before"), ns, cancellationToken: Timeout);
        using var http = Server.CreateHttpClient();
        using var response = await http.GetAsync(
            $"/api/v1/namespaces/{ns}/configmaps?watch=True&sendInitialEvents=False&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=True",
            HttpCompletionOption.ResponseHeadersRead, Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after"), ns, cancellationToken: Timeout);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Timeout));
        var first = await reader.ReadLineAsync(Timeout);
        while (first is not null && first.Contains("\"type\":\"BOOKMARK\"")) first = await reader.ReadLineAsync(Timeout);
        Assert.That(first, Does.StartWith("{\"type\":\"ADDED\"").And.Contain("\"name\":\"after\""), "the existing object is not replayed");
    }

    private async Task<string> GetTextAsync(string pathAndQuery)
    {
        using var http = Server.CreateHttpClient();
        using var response = await http.GetAsync(pathAndQuery, Timeout);
        return await response.Content.ReadAsStringAsync(Timeout);
    }

    private async Task<V1Status> GetStatusAsync(string pathAndQuery) =>
        k8s.KubernetesJson.Deserialize<V1Status>(await GetTextAsync(pathAndQuery));
}
