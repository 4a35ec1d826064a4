using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace AiConformance.ClusterSim.Store;

/// <summary>A served resource type: group, version, kind, plural and scope, as discovery lists it.</summary>
public sealed record ResourceKind(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The resource as error messages and RBAC name it: <c>pods</c>, <c>resourceclaims.resource.k8s.io</c>.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

public enum StoreEventType { Added, Modified, Deleted }

/// <summary>One committed change, in resourceVersion order.</summary>
public sealed record StoreEvent(StoreEventType Type, ResourceKind Kind, JsonObject Object, long ResourceVersion)
{
    /// <summary>The object before a modification (null for additions and deletions), for filtered watches.</summary>
    public JsonObject? Previous { get; init; }
}

/// <summary>
/// The simulated cluster's object storage, as etcd plus the registry layer of kube-apiserver: it assigns uid,
/// resourceVersion, creationTimestamp and generateName suffixes, enforces optimistic concurrency, runs finalizer and
/// deletion semantics, and publishes every committed change. The HTTP layer and the cluster behaviours (scheduler,
/// kubelet, controllers, drivers) both work through it; behaviours act as privileged controllers and skip RBAC.
/// Errors are thrown as <see cref="StatusException"/> carrying the real Kubernetes Status.
/// Returned objects are deep copies; mutating them changes nothing until written back.
/// </summary>
public interface IClusterStore
{
    /// <summary>The resourceVersion of the newest committed change.</summary>
    long ResourceVersion { get; }

    JsonObject Create(ResourceKind kind, JsonObject obj);

    JsonObject? Get(ResourceKind kind, string? ns, string name);

    /// <summary>All objects of a kind, in one namespace or (ns null) everywhere, optionally filtered.</summary>
    IReadOnlyList<JsonObject> List(ResourceKind kind, string? ns = null, Func<JsonObject, bool>? filter = null);

    /// <summary>
    /// Replaces an object (or only its status when <paramref name="statusOnly"/>); a non-empty
    /// metadata.resourceVersion must match the stored one, else 409 Conflict.
    /// </summary>
    JsonObject Update(ResourceKind kind, JsonObject obj, bool statusOnly = false);

    /// <summary>Reads, changes and writes an object in one step without conflicts (for behaviours); null when absent.</summary>
    JsonObject? Mutate(ResourceKind kind, string? ns, string name, Action<JsonObject> change, bool statusOnly = false);

    /// <summary>
    /// Deletes as the API server does: sets deletionTimestamp while finalizers remain, else removes; dependents are
    /// garbage-collected by owner references; namespaces terminate their content first. Returns the object as the
    /// DELETE response would, or null when it did not exist.
    /// A pod running on a node is deleted gracefully when <paramref name="gracePeriodSeconds"/> is above 0 or null
    /// (null: the pod's terminationGracePeriodSeconds, as API clients get it): it keeps a deletionTimestamp until a
    /// delete with grace 0 (the kubelet's, the default here) removes it.
    /// </summary>
    JsonObject? Delete(ResourceKind kind, string? ns, string name, string propagationPolicy = "Background", long? gracePeriodSeconds = 0);

    /// <summary>
    /// Committed changes after <paramref name="fromResourceVersion"/> (0: only new ones), optionally of one kind.
    /// Throws a 410 Expired <see cref="StatusException"/> when that version is older than the kept history.
    /// The channel completes when the store is disposed or <paramref name="cancellation"/> fires.
    /// </summary>
    ChannelReader<StoreEvent> Watch(ResourceKind? kind, long fromResourceVersion, CancellationToken cancellation);
}
