using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>The store as the behaviours use it directly, without HTTP.</summary>
public sealed class ClusterStoreTests
{
    private static readonly ResourceKind ConfigMaps = new("", "v1", "ConfigMap", "configmaps", true);

    private static ClusterStore NewStore(int historyLimit = 100)
    {
        var store = new ClusterStore(historyLimit: historyLimit);
        store.Create(ClusterStore.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "ns" } });
        return store;
    }

    private static JsonObject ConfigMap(string name) =>
        new() { ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" }, ["data"] = new JsonObject { ["k"] = "v" } };

    [Test]
    public void MutateChangesWithoutConflictAndReturnsNullWhenAbsent()
    {
        using var store = NewStore();
        var created = store.Create(ConfigMaps, ConfigMap("a"));
        var mutated = store.Mutate(ConfigMaps, "ns", "a", cm => cm["data"]!["k"] = "w")!;
        Assert.That(mutated["data"]!["k"]!.GetValue<string>(), Is.EqualTo("w"));
        Assert.That(mutated.ResourceVersionOf(), Is.GreaterThan(created.ResourceVersionOf()));
        Assert.That(store.Mutate(ConfigMaps, "ns", "absent", _ => { }), Is.Null);
    }

    [Test]
    public void AnUnchangedWriteCommitsNothing()
    {
        using var store = NewStore();
        var created = store.Create(ConfigMaps, ConfigMap("a"));
        var version = store.ResourceVersion;
        var same = store.Update(ConfigMaps, created);
        Assert.That((store.ResourceVersion, same.ResourceVersionOf()), Is.EqualTo((version, created.ResourceVersionOf())));
    }

    [Test]
    public void ReturnedObjectsAreCopies()
    {
        using var store = NewStore();
        var created = store.Create(ConfigMaps, ConfigMap("a"));
        created["data"]!["k"] = "changed locally";
        Assert.That(store.Get(ConfigMaps, "ns", "a")!["data"]!["k"]!.GetValue<string>(), Is.EqualTo("v"));
    }

    [Test]
    public async Task WatchFromZeroSeesOnlyNewChangesAndResumesFromAVersion()
    {
        using var store = NewStore();
        var first = store.Create(ConfigMaps, ConfigMap("a"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var fresh = store.Watch(ConfigMaps, 0, cancel.Token);
        var resumed = store.Watch(ConfigMaps, first.ResourceVersionOf() - 1, cancel.Token);
        store.Delete(ConfigMaps, "ns", "a");
        var freshEvent = await fresh.ReadAsync(cancel.Token);
        Assert.That(freshEvent.Type, Is.EqualTo(StoreEventType.Deleted));
        Assert.That((await resumed.ReadAsync(cancel.Token)).Type, Is.EqualTo(StoreEventType.Added));
        Assert.That((await resumed.ReadAsync(cancel.Token)).Type, Is.EqualTo(StoreEventType.Deleted));
    }

    [Test]
    public async Task ListThenWatchFromItsVersionSeesEveryConcurrentChangeOnceAndInOrder()
    {
        const int Changes = 5_000;
        using var store = NewStore(historyLimit: Changes * 2);
        store.Create(ConfigMaps, ConfigMap("counter"));
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var writer = Task.Run(() =>
        {
            for (var n = 1; n <= Changes; n++)
            {
                var value = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                store.Mutate(ConfigMaps, "ns", "counter", cm => cm["data"]!["k"] = value);
            }
        });
        static int Counter(JsonObject cm) => cm["data"]!["k"]!.GetValue<string>() is var k && k == "v" ? 0 : int.Parse(k, System.Globalization.CultureInfo.InvariantCulture);

        var rounds = 0;
        for (var listed = 0; listed < Changes; rounds++)
        {
            var (items, version) = store.ListAt(ConfigMaps, "ns");
            listed = Counter(items.Single());
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
            var events = store.Watch(ConfigMaps, version, watch.Token);
            // A few events per watch, so that most lists race the writer.
            for (var expected = listed + 1; expected <= Math.Min(listed + 3, Changes); expected++)
            {
                var change = await events.ReadAsync(limit.Token);
                Assert.That(Counter(change.Object), Is.EqualTo(expected), $"round {rounds}: listed {listed} at version {version}, then the watch skipped or repeated a change");
            }
            await watch.CancelAsync();
        }
        await writer;
        Assert.That(rounds, Is.GreaterThan(1), "the reader never raced the writer");
    }

    [Test]
    public void WatchBeyondTheKeptHistoryIsExpired()
    {
        using var store = NewStore(historyLimit: 3);
        var first = store.Create(ConfigMaps, ConfigMap("a"));
        for (var i = 0; i < 5; i++) store.Create(ConfigMaps, ConfigMap($"b{i}"));
        var error = Assert.Throws<StatusException>(() => store.Watch(ConfigMaps, first.ResourceVersionOf(), CancellationToken.None));
        Assert.That((error!.Code, error.Reason), Is.EqualTo((410, "Expired")));
    }

    [Test]
    public void FinalizersHoldAnObjectUntilTheyAreRemoved()
    {
        using var store = NewStore();
        var held = ConfigMap("held");
        held["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        store.Create(ConfigMaps, held);
        var deleting = store.Delete(ConfigMaps, "ns", "held")!;
        Assert.That(deleting.Metadata()["deletionTimestamp"], Is.Not.Null);
        Assert.That(store.Get(ConfigMaps, "ns", "held"), Is.Not.Null);
        store.Mutate(ConfigMaps, "ns", "held", cm => cm.Metadata().Remove("finalizers"));
        Assert.That(store.Get(ConfigMaps, "ns", "held"), Is.Null);
    }
}
