using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The lws-operator component: its webhook denies a LeaderWorkerSet that LWS's validator rejects in the words the API
/// server and controller-runtime use, and a valid LeaderWorkerSet is reconciled as LWS does (a leader StatefulSet it
/// owns, a worker StatefulSet per group owned by the group's leader pod, their labelled pods, its status) and its
/// deletion lets the garbage collector remove all of it.
/// </summary>
public sealed class LeaderWorkerSetOperatorTests() : OperatorComponentFixture("lws-operator", "lws-v0.10.0", "lws-system", "app.kubernetes.io/name=lws")
{
    private const string Group = "leaderworkerset.x-k8s.io";
    private const string Plural = "leaderworkersets";
    private const string NameLabel = "leaderworkerset.sigs.k8s.io/name";

    [Test]
    public async Task AnInvalidLeaderWorkerSetIsDeniedByTheWebhookInControllerRuntimesWords()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        var error = Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(ns, "bad", subGroupSize: 3))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)error.Response.StatusCode, Is.EqualTo(403));
            Assert.That(Status(error).Message, Is.EqualTo("admission webhook \"vleaderworkerset.kb.io\" denied the request: [" +
                "spec.leaderWorkerTemplate.SubGroupPolicy.subGroupSize: Invalid value: 3: size or size - 1 must be divisible by subGroupSize, " +
                "spec.leaderWorkerTemplate.SubGroupPolicy.subGroupSize: Invalid value: 3: subGroupSize cannot be larger than size]"));
        });
        Assert.DoesNotThrowAsync(() => CreateAsync(ns, "subgroups", subGroupSize: 1), "a subGroupSize that divides the group's size");
    }

    [Test]
    public async Task AValidLeaderWorkerSetIsReconciledIntoStatefulSetsAndPodsThatItsDeletionCollects()
    {
        await OperatorReadyAsync();
        var ns = await NewNamespaceAsync();
        await CreateAsync(ns, "ok", subGroupSize: null);
        var lws = await EventuallyAsync(async () => await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, "v1", ns, Plural, "ok", Timeout),
            set => (int?)set["status"]?["readyReplicas"] == 2, "LeaderWorkerSet ok with 2 ready groups");
        var uid = (string)lws["metadata"]!["uid"]!;
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{NameLabel}=ok", cancellationToken: Timeout)).Items;
        var sets = (await Client.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: Timeout)).Items.ToDictionary(s => s.Metadata.Name);
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("ok", ns, cancellationToken: Timeout);
        var conditions = (lws["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(c => (string)c["type"]!, c => (string?)c["status"]);
        Assert.Multiple(() =>
        {
            Assert.That(pods.Select(p => p.Metadata.Name), Is.EquivalentTo(new[] { "ok-0", "ok-0-1", "ok-1", "ok-1-1" }));
            Assert.That(sets.Keys, Is.EquivalentTo(new[] { "ok", "ok-0", "ok-1" }), "the leader StatefulSet and one worker StatefulSet per group");
            Assert.That(Controller(sets["ok"]), Is.EqualTo(("LeaderWorkerSet", uid)));
            Assert.That(Controller(service), Is.EqualTo(("LeaderWorkerSet", uid)));
            Assert.That(Controller(sets["ok-1"]), Is.EqualTo(("Pod", pods.Single(p => p.Metadata.Name == "ok-1").Metadata.Uid)), "a worker StatefulSet is owned by its group's leader pod");
            Assert.That(Controller(pods.Single(p => p.Metadata.Name == "ok-1-1")), Is.EqualTo(("StatefulSet", sets["ok-1"].Metadata.Uid)));
            Assert.That(Controller(pods.Single(p => p.Metadata.Name == "ok-0")), Is.EqualTo(("StatefulSet", sets["ok"].Metadata.Uid)));
            Assert.That(pods.Select(p => $"{p.Metadata.Labels["leaderworkerset.sigs.k8s.io/group-index"]}/{p.Metadata.Labels["leaderworkerset.sigs.k8s.io/worker-index"]}"),
                Is.EquivalentTo(new[] { "0/0", "0/1", "1/0", "1/1" }));
            Assert.That(pods.Select(p => p.Spec.Subdomain), Has.All.EqualTo("ok"));
            Assert.That(pods.Single(p => p.Metadata.Name == "ok-1-1").Spec.Containers[0].Env.Single(e => e.Name == "LWS_LEADER_ADDRESS").Value, Is.EqualTo($"ok-1.ok.{ns}"));
            Assert.That((string?)lws["status"]?["hpaPodSelector"], Is.EqualTo($"{NameLabel}=ok,leaderworkerset.sigs.k8s.io/worker-index=0"));
            Assert.That(conditions, Is.EquivalentTo(new Dictionary<string, string?> { ["Available"] = "True", ["Progressing"] = "False" }));
        });

        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, "v1", ns, Plural, "ok", cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{NameLabel}=ok", cancellationToken: Timeout)).Items.Count
                                          + (await Client.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: Timeout)).Items.Count
                                          + (await Client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: Timeout)).Items.Count,
            left => left == 0, "pods, StatefulSets and Service of LeaderWorkerSet ok collected");
    }

    private Task CreateAsync(string ns, string name, int? subGroupSize)
    {
        var template = new JsonObject
        {
            ["size"] = 2,
            ["workerTemplate"] = new JsonObject
            {
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "server", ["image"] = "registry.k8s.io/pause:3.10" }) },
            },
        };
        if (subGroupSize is { } size) template["subGroupPolicy"] = new JsonObject { ["subGroupSize"] = size };
        return Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = $"{Group}/v1", ["kind"] = "LeaderWorkerSet",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["replicas"] = 2, ["leaderWorkerTemplate"] = template },
        }, Group, "v1", ns, Plural, cancellationToken: Timeout);
    }
}
