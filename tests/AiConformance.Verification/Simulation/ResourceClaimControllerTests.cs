using System.Text.Json.Nodes;
using System.Threading.Channels;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Store;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The resourceclaim controller's reservation cleanup, against a store whose pod list lags behind.</summary>
public sealed class ResourceClaimControllerTests
{
    /// <summary>
    /// The store as the controller saw it under load: its pod list was taken before <paramref name="hidden"/> was
    /// created, while the scheduler had already reserved a claim for that pod by the time the claims were listed.
    /// </summary>
    private sealed class PodListTakenEarlier(ClusterStore store, string hidden) : IClusterStore
    {
        public long ResourceVersion => store.ResourceVersion;
        public JsonObject Create(ResourceKind kind, JsonObject obj) => store.Create(kind, obj);
        public JsonObject? Get(ResourceKind kind, string? ns, string name) => store.Get(kind, ns, name);

        public IReadOnlyList<JsonObject> List(ResourceKind kind, string? ns = null, Func<JsonObject, bool>? filter = null) =>
            [.. store.List(kind, ns, filter).Where(o => kind != Kinds.Pod || Json.Name(o) != hidden)];

        public JsonObject Update(ResourceKind kind, JsonObject obj, bool statusOnly = false) => store.Update(kind, obj, statusOnly);
        public JsonObject? Mutate(ResourceKind kind, string? ns, string name, Action<JsonObject> change, bool statusOnly = false) =>
            store.Mutate(kind, ns, name, change, statusOnly);
        public JsonObject? Delete(ResourceKind kind, string? ns, string name, string propagationPolicy = "Background", long? gracePeriodSeconds = 0) =>
            store.Delete(kind, ns, name, propagationPolicy, gracePeriodSeconds);
        public ChannelReader<StoreEvent> Watch(ResourceKind? kind, long fromResourceVersion, CancellationToken cancellation) =>
            store.Watch(kind, fromResourceVersion, cancellation);
    }

    [Test]
    public async Task AReservationForAPodNewerThanThePassesPodListIsKeptWhileOneForAGonePodIsRemoved()
    {
        using var store = new ClusterStore();
        store.Create(Kinds.Namespace, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "ns" } });
        var first = store.Create(Kinds.Pod, Pod("first"));
        var second = store.Create(Kinds.Pod, Pod("second"));
        store.Create(Kinds.ResourceClaim, ReservedClaim("shared", first, second));
        // Sorted after "shared", so the pass that cleans it up has already decided about "shared".
        var gone = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "deleted", ["uid"] = Guid.NewGuid().ToString() } };
        store.Create(Kinds.ResourceClaim, ReservedClaim("zz-control", gone));
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var changes = store.Watch(Kinds.ResourceClaim, store.ResourceVersion, stop.Token);

        var controller = new ResourceClaimControllerBehaviour();
        var running = controller.RunAsync(new SimulatedCluster(new PodListTakenEarlier(store, "second"), new Scenario()), stop.Token);
        var control = await NextChangeOfAsync(changes, "zz-control", stop.Token);
        var shared = store.Get(Kinds.ResourceClaim, "ns", "shared")!;
        await stop.CancelAsync();
        try { await running; } catch (OperationCanceledException) { }

        Assert.Multiple(() =>
        {
            Assert.That(ReservedNames(control), Is.Empty, "negative control: the reservation of a pod that is gone is removed");
            Assert.That(ReservedNames(shared), Is.EqualTo(new[] { "first", "second" }),
                "a pod the pass's snapshot missed but that exists keeps its reservation");
        });
    }

    private static async Task<JsonObject> NextChangeOfAsync(ChannelReader<StoreEvent> changes, string name, CancellationToken cancellation)
    {
        while (true)
        {
            var change = await changes.ReadAsync(cancellation);
            if (Json.Name(change.Object) == name) return change.Object;
        }
    }

    private static JsonObject Pod(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" },
        ["spec"] = new JsonObject { ["nodeName"] = "node", ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    };

    private static JsonObject ReservedClaim(string name, params JsonObject[] pods) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" },
        ["spec"] = new JsonObject(),
        ["status"] = new JsonObject
        {
            ["allocation"] = new JsonObject { ["devices"] = new JsonObject { ["results"] = new JsonArray() } },
            ["reservedFor"] = new JsonArray([.. pods.Select(pod => (JsonNode)new JsonObject { ["resource"] = "pods", ["name"] = Json.Name(pod), ["uid"] = Json.Uid(pod) })]),
        },
    };

    private static List<string> ReservedNames(JsonObject claim) =>
        [.. (claim["status"]?["reservedFor"] as JsonArray ?? []).Select(entry => (string?)entry?["name"] ?? "")];
}
