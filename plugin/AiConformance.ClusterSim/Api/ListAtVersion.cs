using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// A list at the resourceVersion a client asked for, with kube-apiserver's semantics: none or "0" is the current
/// state; a version with NotOlderThan (the default) is the current state unless the version is newer than the store
/// (504 ResourceVersionTooLarge); Exact is the state at that version, rebuilt by undoing the later changes the watch
/// history holds (410 when they were compacted away, as etcd answers).
/// </summary>
internal static class ListAtVersion
{
    public static (IReadOnlyList<JsonObject> Items, long ResourceVersion) Read(
        ClusterStore store, ResourceKind kind, string? ns, Func<JsonObject, bool> filter, ListOptions options)
    {
        var text = options.ResourceVersion;
        if (string.IsNullOrEmpty(text) || text == "0") return store.ListAt(kind, ns, filter);
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var asked))
            throw StatusException.BadRequest($"invalid resource version: {text}");
        var (items, current) = store.ListAt(kind, ns);
        if (asked > current)
            throw new StatusException(504, "Timeout", $"Timeout: Too large resource version: {asked}, current: {current}", new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }),
                ["retryAfterSeconds"] = 1,
            });
        if (options.ResourceVersionMatch == ListOptions.Exact && asked < current) items = RollBack(store, kind, items, asked, current);
        else asked = current;
        return (items.Where(o => (ns is null || o.Namespace() == ns) && filter(o)).ToList(), asked);
    }

    private static List<JsonObject> RollBack(ClusterStore store, ResourceKind kind, IReadOnlyList<JsonObject> items, long asked, long current)
    {
        using var done = new CancellationTokenSource();
        System.Threading.Channels.ChannelReader<StoreEvent> history;
        try
        {
            history = store.Watch(kind, asked, done.Token);
        }
        catch (StatusException expired) when (expired.Code == 410)
        {
            throw StatusException.Expired("The resourceVersion for the provided list is too old.");
        }
        var later = new List<StoreEvent>();
        while (history.TryRead(out var change) && change.ResourceVersion <= current) later.Add(change);
        done.Cancel();
        var state = items.ToDictionary(Key);
        for (var i = later.Count - 1; i >= 0; i--)
        {
            var change = later[i];
            switch (change.Type)
            {
                case StoreEventType.Added:
                    state.Remove(Key(change.Object));
                    break;
                case StoreEventType.Modified when change.Previous is not null:
                    state[Key(change.Object)] = change.Previous;
                    break;
                case StoreEventType.Deleted:
                    state[Key(change.Object)] = change.Object;
                    break;
            }
        }
        return [.. state.Values.OrderBy(Key, StringComparer.Ordinal)];
    }

    private static string Key(JsonObject obj) => (obj.Namespace() ?? "") + "/" + obj.Name();
}
