using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api.Protobuf;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// A watch as kube-apiserver streams it: initial ADDED events (no resourceVersion, or sendInitialEvents), replay
/// from a resourceVersion, selector transitions, BOOKMARKs, timeoutSeconds, a 200 answer with one ERROR event for an
/// expired version, and the injected faults: a drop after N events, events held back (in order).
/// </summary>
internal sealed class WatchStream(ClusterStore store)
{
    public async Task ServeAsync(HttpContext http, ResourceInfo info, string? ns, string? name, WatchLimits limits, CancellationToken cancellation)
    {
        var query = http.Request.Query;
        var filter = Selectors.Parse(query["labelSelector"], query["fieldSelector"], info.Kind);
        bool Matches(JsonObject o) => (ns is null || o.Namespace() == ns) && (name is null || o.Name() == name) && filter(o);
        var options = ListOptions.Parse(query, watch: true);
        var rvText = options.ResourceVersion;
        var sendInitial = options.SendsInitialEvents;
        var bookmarks = options.AllowWatchBookmarks;
        var deadline = options.TimeoutSeconds is > 0 and var seconds
            ? DateTimeOffset.UtcNow.AddSeconds(seconds) : DateTimeOffset.MaxValue;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            IReadOnlyList<JsonObject> initial = [];
            long from;
            System.Threading.Channels.ChannelReader<StoreEvent> reader;
            var asTable = TableWriter.Wanted(http.Request.Headers.Accept);
            // A client that prefers protobuf (client-go's typed clients) gets length-prefixed WatchEvents where the kind has a descriptor.
            var protobuf = !asTable && KubernetesProtobuf.PrefersProtobuf(http.Request.Headers.Accept)
                           && KubernetesProtobuf.Find(info.Kind.ApiVersion, info.Kind.Kind) is not null;
            http.Response.StatusCode = 200;
            http.Response.ContentType = protobuf ? KubernetesProtobuf.WatchMediaType : "application/json";
            try
            {
                if (sendInitial)
                {
                    (initial, from) = store.ListAt(info.Kind, ns, Matches);
                    reader = store.Watch(info.Kind, from, stop.Token);
                }
                else if (string.IsNullOrEmpty(rvText) || rvText == "0")
                {
                    // sendInitialEvents=false without a version: only the changes from now on.
                    from = store.ResourceVersion;
                    reader = store.Watch(info.Kind, from, stop.Token);
                }
                else
                {
                    if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out from))
                        throw StatusException.BadRequest($"invalid resource version: {rvText}");
                    reader = store.Watch(info.Kind, from, stop.Token);
                }
            }
            catch (StatusException expired) when (expired.Code == 410)
            {
                await WriteEventAsync(http, protobuf, "ERROR", expired.ToStatus(), cancellation);
                return;
            }
            var sent = 0;
            // kubectl get -w asks for Table rows; only the first event carries the column definitions, as on a real server.
            JsonObject Shape(JsonObject obj)
            {
                if (!asTable) return obj;
                var table = TableWriter.Write(info, [obj], obj.ResourceVersionOf());
                if (sent > 0) table["columnDefinitions"] = new JsonArray();
                return table;
            }
            // False once the injected drop is due.
            async Task<bool> SendAsync(string type, JsonObject obj)
            {
                if (limits.EventDelay?.Invoke() is { Ticks: > 0 } delay) await Task.Delay(delay, cancellation);
                await WriteEventAsync(http, protobuf, type, Shape(obj), cancellation);
                return ++sent < limits.DropAfterEvents.GetValueOrDefault(int.MaxValue);
            }
            foreach (var item in initial)
                if (!await SendAsync("ADDED", item)) return;
            if (options.SendInitialEvents == true) await WriteBookmarkAsync(http, protobuf, info, from, initialEnd: true, cancellation);
            await http.Response.Body.FlushAsync(cancellation);
            var lastVersion = from;
            while (!cancellation.IsCancellationRequested && DateTimeOffset.UtcNow < deadline)
            {
                var wait = TimeSpan.FromTicks(Math.Min(limits.BookmarkInterval.Ticks, Math.Max(0, (deadline - DateTimeOffset.UtcNow).Ticks)));
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                tick.CancelAfter(wait);
                try
                {
                    if (!await reader.WaitToReadAsync(tick.Token)) return;
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    if (bookmarks && DateTimeOffset.UtcNow < deadline) await WriteBookmarkAsync(http, protobuf, info, lastVersion, initialEnd: false, cancellation);
                    continue;
                }
                while (reader.TryRead(out var change))
                {
                    lastVersion = change.ResourceVersion;
                    var type = WatchEventType(change, Matches);
                    if (type is null) continue;
                    if (!await SendAsync(type, change.Object)) return;
                }
            }
        }
        finally
        {
            // Ends the store subscription however the stream ended (timeout, drop, client gone).
            await stop.CancelAsync();
        }
    }

    /// <summary>
    /// The event a filtered watch sees, as the watch cache decides it: an object that stops matching is DELETED for
    /// the watcher, one that starts matching is ADDED; null when the change is invisible to it.
    /// </summary>
    private static string? WatchEventType(StoreEvent change, Func<JsonObject, bool> matches)
    {
        var now = matches(change.Object);
        if (change.Type != StoreEventType.Modified) return now ? change.Type.ToString().ToUpperInvariant() : null;
        var before = change.Previous is null || matches(change.Previous);
        return (before, now) switch
        {
            (true, true) => "MODIFIED",
            (true, false) => "DELETED",
            (false, true) => "ADDED",
            _ => null,
        };
    }

    private static async Task WriteEventAsync(HttpContext http, bool protobuf, string type, JsonObject obj, CancellationToken cancellation)
    {
        var frame = protobuf ? KubernetesProtobuf.EncodeWatchEvent(type, obj)
                               ?? throw new InvalidOperationException($"{obj["apiVersion"]} {obj["kind"]} has no protobuf descriptor")
            : Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString(ApiHandler.WireJson) + "\n");
        await http.Response.Body.WriteAsync(frame, cancellation);
        await http.Response.Body.FlushAsync(cancellation);
    }

    private static Task WriteBookmarkAsync(HttpContext http, bool protobuf, ResourceInfo info, long rv, bool initialEnd, CancellationToken cancellation)
    {
        var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (initialEnd) metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        return WriteEventAsync(http, protobuf, "BOOKMARK", new JsonObject
        {
            ["kind"] = info.Kind.Kind, ["apiVersion"] = info.Kind.ApiVersion, ["metadata"] = metadata,
        }, cancellation);
    }
}
