using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace AiConformance.ClusterSim.Store;

/// <summary>
/// The in-memory <see cref="IClusterStore"/>: one lock around a map per resource, a bounded history of committed
/// changes for watch resumption, and the deletion machinery of kube-apiserver plus the garbage collector and the
/// namespace controller (finalizers, owner references with background/foreground/orphan propagation, namespace
/// termination). The collectors run synchronously inside the deleting call, so a DELETE answer already reflects them.
/// </summary>
public sealed class ClusterStore(IStoreAdmission? admission = null, int historyLimit = 2_000) : IClusterStore, IDisposable
{
    public static readonly ResourceKind Namespaces = new("", "v1", "Namespace", "namespaces", false);
    private const string ForegroundFinalizer = "foregroundDeletion";
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly IStoreAdmission _admission = admission ?? NoAdmission.Instance;
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, Stored>> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Stored> _byUid = new(StringComparer.Ordinal);
    private readonly Queue<StoreEvent> _history = new();
    private readonly List<Subscriber> _subscribers = [];
    private long _resourceVersion;
    private long _compactedThrough;
    private bool _disposed;

    private sealed record Stored(ResourceKind Kind, JsonObject Object)
    {
        public string Key => KeyOf(Object.Namespace(), Object.Name());
    }

    /// <summary>Raised inside the store's lock for every committed change (the object is shared: do not mutate).</summary>
    public event Action<StoreEvent>? Committed;

    private sealed record Subscriber(ResourceKind? Kind, ChannelWriter<StoreEvent> Writer);

    public long ResourceVersion
    {
        get { lock (_gate) return _resourceVersion; }
    }

    /// <summary>Watch subscriptions currently open (behaviours' and HTTP watches').</summary>
    public int OpenWatches
    {
        get { lock (_gate) return _subscribers.Count; }
    }

    public JsonObject Create(ResourceKind kind, JsonObject obj)
    {
        // apiVersion and kind come first, as the API server writes them (some decoders read the kind first).
        var created = new JsonObject { ["apiVersion"] = kind.ApiVersion, ["kind"] = kind.Kind };
        foreach (var (key, value) in obj)
            if (key is not ("apiVersion" or "kind")) created[key] = value?.DeepClone();
        var meta = created.Metadata();
        foreach (var systemField in new[] { "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink" })
            meta.Remove(systemField);
        var ns = kind.Namespaced ? meta.Str("namespace") : null;
        if (!kind.Namespaced) meta.Remove("namespace");
        lock (_gate)
        {
            var name = meta.Str("name") ?? "";
            var generateName = meta.Str("generateName");
            if (name.Length == 0 && !string.IsNullOrEmpty(generateName))
            {
                name = GenerateName(kind, ns, generateName);
                meta["name"] = name;
            }
            ObjectNameRules.Validate(kind, created, name);
            if (kind.Namespaced)
            {
                if (string.IsNullOrEmpty(ns))
                    throw StatusException.Invalid(kind, name, [FieldError.Required("metadata.namespace")]);
                var owningNamespace = Find(Namespaces, null, ns)
                    ?? throw StatusException.NotFound(Namespaces, ns);
                if (IsDeleting(owningNamespace.Object))
                    throw StatusException.Forbidden(kind, name,
                        $"unable to create new content in namespace {ns} because it is being terminated");
            }
            if (Find(kind, ns, name) is not null) throw StatusException.AlreadyExists(kind, name);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
            if (_admission.SetsGeneration(kind)) meta["generation"] = 1;
            _admission.Admit(kind, created, null);
            var stored = new Stored(kind, created);
            Table(kind)[stored.Key] = stored;
            _byUid[created.Uid()!] = stored;
            Commit(StoreEventType.Added, stored);
            // Created for owners that are all gone (by a controller acting on a stale view of its owner): the garbage
            // collector removes it next, as it removes any object whose owners no longer exist.
            var owners = created.OwnerReferences().Select(r => r.Str("uid")).ToList();
            if (owners.Count > 0 && owners.All(uid => uid is null || !_byUid.ContainsKey(uid)))
                DeleteStored(stored, "Background", null);
            return Clone(created);
        }
    }

    public JsonObject? Get(ResourceKind kind, string? ns, string name)
    {
        lock (_gate)
        {
            var stored = Find(kind, ns, name);
            return stored is null ? null : AsVersion(kind, stored.Object);
        }
    }

    public IReadOnlyList<JsonObject> List(ResourceKind kind, string? ns = null, Func<JsonObject, bool>? filter = null)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(ResourceKey(kind), out var table)) return [];
            var result = new List<JsonObject>();
            foreach (var stored in table.Values)
            {
                if (ns is not null && stored.Object.Namespace() != ns) continue;
                if (filter is not null && !filter(stored.Object)) continue;
                result.Add(AsVersion(kind, stored.Object));
            }
            return result;
        }
    }

    /// <summary>Like <see cref="List"/>, with the store's resourceVersion at the moment of listing (for list and watch answers).</summary>
    public (IReadOnlyList<JsonObject> Items, long ResourceVersion) ListAt(ResourceKind kind, string? ns = null, Func<JsonObject, bool>? filter = null)
    {
        lock (_gate) return (List(kind, ns, filter), _resourceVersion);
    }

    public JsonObject Update(ResourceKind kind, JsonObject obj, bool statusOnly = false)
    {
        var ns = kind.Namespaced ? obj.Namespace() : null;
        var name = obj.Name();
        lock (_gate)
        {
            var stored = Find(kind, ns, name) ?? throw StatusException.NotFound(kind, name);
            var expected = obj.Metadata().Str("resourceVersion");
            if (!string.IsNullOrEmpty(expected) && expected != stored.Object.Metadata().Str("resourceVersion"))
                throw StatusException.Conflict(kind, name);
            return AsVersion(kind, Replace(stored, Clone(obj), statusOnly));
        }
    }

    public JsonObject? Mutate(ResourceKind kind, string? ns, string name, Action<JsonObject> change, bool statusOnly = false)
    {
        lock (_gate)
        {
            var stored = Find(kind, kind.Namespaced ? ns : null, name);
            if (stored is null) return null;
            var copy = AsVersion(kind, stored.Object);
            change(copy);
            return AsVersion(kind, Replace(stored, copy, statusOnly));
        }
    }

    public JsonObject? Delete(ResourceKind kind, string? ns, string name, string propagationPolicy = "Background", long? gracePeriodSeconds = 0)
    {
        lock (_gate)
        {
            var stored = Find(kind, kind.Namespaced ? ns : null, name);
            return stored is null ? null : AsVersion(kind, DeleteStored(stored, propagationPolicy, gracePeriodSeconds));
        }
    }

    public ChannelReader<StoreEvent> Watch(ResourceKind? kind, long fromResourceVersion, CancellationToken cancellation)
    {
        var channel = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });
        Subscriber subscriber;
        lock (_gate)
        {
            if (fromResourceVersion > 0 && fromResourceVersion < _compactedThrough)
                throw StatusException.Expired($"too old resource version: {fromResourceVersion} ({_compactedThrough + 1})");
            subscriber = new Subscriber(kind, channel.Writer);
            if (fromResourceVersion > 0)
                foreach (var past in _history)
                    if (past.ResourceVersion > fromResourceVersion) Deliver(subscriber, past);
            if (_disposed)
            {
                channel.Writer.TryComplete();
                return channel.Reader;
            }
            _subscribers.Add(subscriber);
        }
        cancellation.Register(() =>
        {
            lock (_gate) _subscribers.Remove(subscriber);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var subscriber in _subscribers) subscriber.Writer.TryComplete();
            _subscribers.Clear();
        }
    }

    private JsonObject Replace(Stored stored, JsonObject next, bool statusOnly)
    {
        var kind = stored.Kind;
        var old = stored.Object;
        if (statusOnly)
        {
            var status = next["status"]?.DeepClone();
            next = Clone(old);
            if (status is null) next.Remove("status"); else next["status"] = status;
        }
        else if (_admission.HasStatusSubresource(kind))
        {
            if (old["status"] is { } oldStatus) next["status"] = oldStatus.DeepClone(); else next.Remove("status");
        }
        next["apiVersion"] = old["apiVersion"]?.DeepClone();
        next["kind"] = kind.Kind;
        var meta = next.Metadata();
        var oldMeta = old.Metadata();
        foreach (var kept in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion" })
        {
            if (oldMeta[kept] is { } value) meta[kept] = value.DeepClone(); else meta.Remove(kept);
        }
        _admission.Admit(kind, next, old);
        if (JsonNode.DeepEquals(old, next)) return Clone(old);
        if (!statusOnly && _admission.SetsGeneration(kind) && SpecChanged(old, next))
            meta["generation"] = (oldMeta["generation"].AsLong() ?? 1) + 1;
        var replaced = stored with { Object = next };
        if (IsDeleting(next) && next.Finalizers().Count == 0 && (meta["deletionGracePeriodSeconds"].AsLong() ?? 0) == 0) return Remove(replaced);
        Table(kind)[replaced.Key] = replaced;
        _byUid[next.Uid()!] = replaced;
        Commit(StoreEventType.Modified, replaced, old);
        return Clone(next);
    }

    private JsonObject DeleteStored(Stored stored, string propagationPolicy, long? gracePeriodSeconds)
    {
        if (stored.Kind.Plural == Namespaces.Plural && stored.Kind.Group.Length == 0) return TerminateNamespace(stored);
        var grace = GracePeriod(stored, gracePeriodSeconds);
        if (IsDeleting(stored.Object))
        {
            // Only a zero grace period (the kubelet confirming the stop) completes a graceful deletion early.
            var pending = stored.Object.Metadata()["deletionGracePeriodSeconds"].AsLong() ?? 0;
            if (grace > 0 || pending == 0) return Clone(stored.Object);
            return stored.Object.Finalizers().Count > 0 ? MarkDeleting(stored, addForegroundFinalizer: false, 0) : Remove(stored);
        }
        var uid = stored.Object.Uid()!;
        switch (propagationPolicy)
        {
            case "Orphan":
                foreach (var dependent in DependentsOf(uid)) DropOwnerReference(dependent, uid);
                break;
            case "Foreground" when DependentsOf(uid).Count > 0:
                var marked = MarkDeleting(stored, addForegroundFinalizer: true, grace);
                foreach (var dependent in DependentsOf(uid)) DeleteStored(dependent, "Foreground", null);
                CompleteForegroundDeletion(uid);
                return marked;
        }
        return stored.Object.Finalizers().Count > 0 || grace > 0 ? MarkDeleting(stored, addForegroundFinalizer: false, grace) : Remove(stored);
    }

    /// <summary>
    /// Graceful deletion: a pod on a node that has not finished keeps running for its grace period (the request's,
    /// else the pod's terminationGracePeriodSeconds) until the kubelet deletes it with grace 0. Everything else goes at once.
    /// </summary>
    private static long GracePeriod(Stored stored, long? requested)
    {
        if (stored.Kind is not { Group: "", Plural: "pods" }) return 0;
        var pod = stored.Object;
        if (pod.StrAt("spec.nodeName") is null || pod.StrAt("status.phase") is "Succeeded" or "Failed") return 0;
        return Math.Max(0, requested ?? pod["spec"]?["terminationGracePeriodSeconds"].AsLong() ?? 30);
    }

    private JsonObject MarkDeleting(Stored stored, bool addForegroundFinalizer, long grace)
    {
        var next = Clone(stored.Object);
        var meta = next.Metadata();
        meta["deletionTimestamp"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow.AddSeconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
        if (addForegroundFinalizer)
        {
            var finalizers = meta["finalizers"] as JsonArray ?? [];
            if (!finalizers.Any(f => f?.GetValue<string>() == ForegroundFinalizer)) finalizers.Add(ForegroundFinalizer);
            meta["finalizers"] = finalizers.DeepClone();
        }
        var marked = stored with { Object = next };
        Table(stored.Kind)[marked.Key] = marked;
        _byUid[next.Uid()!] = marked;
        Commit(StoreEventType.Modified, marked, stored.Object);
        return Clone(next);
    }

    private JsonObject Remove(Stored stored)
    {
        var table = Table(stored.Kind);
        table.Remove(stored.Key);
        var uid = stored.Object.Uid()!;
        _byUid.Remove(uid);
        var removed = Clone(stored.Object);
        var gone = stored with { Object = removed };
        Commit(StoreEventType.Deleted, gone);
        foreach (var dependent in DependentsOf(uid))
        {
            var liveOwners = dependent.Object.OwnerReferences()
                .Count(r => r.Str("uid") is { } ownerUid && ownerUid != uid && _byUid.ContainsKey(ownerUid));
            if (liveOwners > 0) DropOwnerReference(dependent, uid);
            else if (Find(dependent.Kind, dependent.Object.Namespace(), dependent.Object.Name()) is { } current) DeleteStored(current, "Background", null);
        }
        foreach (var ownerUid in removed.OwnerReferences().Select(r => r.Str("uid")).OfType<string>())
            CompleteForegroundDeletion(ownerUid);
        if (removed.Namespace() is { } ns) FinalizeNamespaceIfEmpty(ns);
        return Clone(removed);
    }

    private void CompleteForegroundDeletion(string ownerUid)
    {
        if (!_byUid.TryGetValue(ownerUid, out var owner) || !owner.Object.Finalizers().Contains(ForegroundFinalizer)) return;
        if (DependentsOf(ownerUid).Count > 0) return;
        var next = Clone(owner.Object);
        var remaining = new JsonArray(next.Finalizers().Where(f => f != ForegroundFinalizer).Select(f => (JsonNode?)f).ToArray());
        next.Metadata()["finalizers"] = remaining;
        if (remaining.Count == 0) next.Metadata().Remove("finalizers");
        Replace(owner, next, statusOnly: false);
    }

    private void DropOwnerReference(Stored dependent, string ownerUid)
    {
        var current = Find(dependent.Kind, dependent.Object.Namespace(), dependent.Object.Name());
        if (current is null) return;
        var next = Clone(current.Object);
        var kept = new JsonArray(next.OwnerReferences().Where(r => r.Str("uid") != ownerUid).Select(r => r.DeepClone()).ToArray());
        if (kept.Count == 0) next.Metadata().Remove("ownerReferences"); else next.Metadata()["ownerReferences"] = kept;
        Replace(current, next, statusOnly: false);
    }

    private JsonObject TerminateNamespace(Stored ns)
    {
        var name = ns.Object.Name();
        if (name is "default" or "kube-system" or "kube-public")
            throw StatusException.Forbidden(Namespaces, name, "this namespace may not be deleted");
        if (!IsDeleting(ns.Object))
        {
            var next = Clone(ns.Object);
            next.Metadata()["deletionTimestamp"] = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
            next["status"] = new JsonObject { ["phase"] = "Terminating" };
            var before = ns.Object;
            ns = ns with { Object = next };
            Table(Namespaces)[ns.Key] = ns;
            _byUid[next.Uid()!] = ns;
            Commit(StoreEventType.Modified, ns, before);
        }
        var answer = Clone(ns.Object);
        foreach (var content in ContentOf(name))
            if (Find(content.Kind, name, content.Object.Name()) is { } current) DeleteStored(current, "Background", null);
        FinalizeNamespaceIfEmpty(name);
        return answer;
    }

    private void FinalizeNamespaceIfEmpty(string name)
    {
        var ns = Find(Namespaces, null, name);
        if (ns is null || !IsDeleting(ns.Object) || ContentOf(name).Count > 0 || ns.Object.Finalizers().Count > 0) return;
        Remove(ns);
    }

    private List<Stored> ContentOf(string ns) =>
        _objects.Values.SelectMany(t => t.Values).Where(s => s.Kind.Namespaced && s.Object.Namespace() == ns).ToList();

    private List<Stored> DependentsOf(string ownerUid) =>
        _objects.Values.SelectMany(t => t.Values)
            .Where(s => s.Object.OwnerReferences().Any(r => r.Str("uid") == ownerUid))
            .ToList();

    private void Commit(StoreEventType type, Stored stored, JsonObject? previous = null)
    {
        var rv = ++_resourceVersion;
        stored.Object.Metadata()["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var change = new StoreEvent(type, stored.Kind, Clone(stored.Object), rv) { Previous = previous is null ? null : Clone(previous) };
        _history.Enqueue(change);
        while (_history.Count > historyLimit) _compactedThrough = _history.Dequeue().ResourceVersion;
        Committed?.Invoke(change);
        foreach (var subscriber in _subscribers) Deliver(subscriber, change);
    }

    private static void Deliver(Subscriber subscriber, StoreEvent change)
    {
        if (subscriber.Kind is { } wanted)
        {
            if (ResourceKey(wanted) != ResourceKey(change.Kind)) return;
            subscriber.Writer.TryWrite(change with
            {
                Kind = wanted, Object = AsVersion(wanted, change.Object),
                Previous = change.Previous is null ? null : AsVersion(wanted, change.Previous),
            });
        }
        else
        {
            subscriber.Writer.TryWrite(change with { Object = Clone(change.Object), Previous = change.Previous is null ? null : Clone(change.Previous) });
        }
    }

    private string GenerateName(ResourceKind kind, string? ns, string prefix)
    {
        var trimmed = prefix.Length > 58 ? prefix[..58] : prefix;
        for (var attempt = 0; ; attempt++)
        {
            var suffix = new string(Enumerable.Range(0, 5).Select(_ => NameAlphabet[Random.Shared.Next(NameAlphabet.Length)]).ToArray());
            var candidate = trimmed + suffix;
            if (Find(kind, ns, candidate) is null || attempt > 20) return candidate;
        }
    }

    private Stored? Find(ResourceKind kind, string? ns, string name) =>
        _objects.TryGetValue(ResourceKey(kind), out var table) && table.TryGetValue(KeyOf(kind.Namespaced ? ns : null, name), out var stored)
            ? stored
            : null;

    private SortedDictionary<string, Stored> Table(ResourceKind kind)
    {
        var key = ResourceKey(kind);
        if (!_objects.TryGetValue(key, out var table))
            _objects[key] = table = new SortedDictionary<string, Stored>(StringComparer.Ordinal);
        return table;
    }

    private static bool IsDeleting(JsonObject obj) => obj.Metadata()["deletionTimestamp"] is not null;

    private static JsonObject AsVersion(ResourceKind kind, JsonObject obj)
    {
        var copy = Clone(obj);
        copy["apiVersion"] = kind.ApiVersion;
        return copy;
    }

    private static string ResourceKey(ResourceKind kind) => kind.Group + "/" + kind.Plural;

    private static string KeyOf(string? ns, string name) => (ns ?? "") + "/" + name;

    private static JsonObject Clone(JsonObject obj) => (JsonObject)obj.DeepClone();

    private static bool SpecChanged(JsonObject old, JsonObject next)
    {
        static IEnumerable<string> SpecKeys(JsonObject o) => o.Select(p => p.Key).Where(k => k is not ("metadata" or "status" or "apiVersion" or "kind"));
        foreach (var key in SpecKeys(old).Union(SpecKeys(next)))
            if (!JsonNode.DeepEquals(old[key], next[key])) return true;
        return false;
    }
}
