using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Where the API serves a kind: taken from the model's <see cref="KubernetesEntityAttribute"/>, or given at run time
/// for a model that serves several versions (<see cref="CustomObject"/>), e.g. the one a detector found served.
/// </summary>
public sealed record ApiKind(string Group, string Version, string Plural, string Kind)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The same kind in another served version.</summary>
    public ApiKind In(string version) => this with { Version = version };

    public static ApiKind Of<T>()
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no [KubernetesEntity] attribute naming its group, version and plural");
        // Some models leave the plural empty (Resourcev1ResourceClaim): the API's plural is then the kind's, lowercased.
        var plural = string.IsNullOrEmpty(entity.PluralName) ? entity.Kind.ToLowerInvariant() + "s" : entity.PluralName;
        return new ApiKind(entity.Group ?? "", entity.ApiVersion, plural, entity.Kind);
    }
}

/// <summary>A list of any kind as the API returns it.</summary>
public sealed class ObjectList<T> : IKubernetesObject<V1ListMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ListMeta Metadata { get; set; } = new();
    public IList<T> Items { get; set; } = [];
}

/// <summary>
/// One way to work with any kind, built-in or custom (a Pod, a ResourceClaim, a PodGroup, an HTTPRoute, a
/// ClusterQueue): create it with the run's labels and an evidence line, get, list, watch, delete. A custom resource
/// costs only its model class with a <see cref="KubernetesEntityAttribute"/>. Everything goes through the client's
/// custom-object operations, which address the core group as <c>/api/v1</c> and every other group as <c>/apis</c>.
/// <paramref name="kind"/> says where the API serves it when the model's attribute does not (or names another version).
/// </summary>
public sealed class ClusterObjects<T>(IKubernetes kubernetes, string? @namespace, ApiKind? kind = null) where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ApiKind kind = kind ?? ApiKind.Of<T>();

    /// <summary>Null for a cluster-scoped kind.</summary>
    public string? Namespace { get; } = @namespace;

    private ICustomObjectsOperations Api => kubernetes.CustomObjects;

    /// <summary>Creates the object as given (the caller adds the run's labels); says so in the evidence.</summary>
    public async Task<T> CreateAsync(T item, CancellationToken cancellationToken)
    {
        item.ApiVersion ??= kind.ApiVersion;
        item.Kind ??= kind.Kind;
        using var response = Namespace is null
            ? await Api.CreateClusterCustomObjectWithHttpMessagesAsync<T>(item, kind.Group, kind.Version, kind.Plural, cancellationToken: cancellationToken)
            : await Api.CreateNamespacedCustomObjectWithHttpMessagesAsync<T>(item, kind.Group, kind.Version, Namespace, kind.Plural, cancellationToken: cancellationToken);
        Evidence.Created(kind.Kind, Namespace, response.Body.Metadata.Name);
        return response.Body;
    }

    /// <summary>The object, or null when there is none of that name.</summary>
    public async Task<T?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            using var response = Namespace is null
                ? await Api.GetClusterCustomObjectWithHttpMessagesAsync<T>(kind.Group, kind.Version, kind.Plural, name, cancellationToken: cancellationToken)
                : await Api.GetNamespacedCustomObjectWithHttpMessagesAsync<T>(kind.Group, kind.Version, Namespace, kind.Plural, name, cancellationToken: cancellationToken);
            return response.Body;
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The objects a label and field selector match, with the list's resourceVersion.</summary>
    public async Task<(IList<T> Items, string? ResourceVersion)> ListAsync(
        string? labelSelector, string? fieldSelector, CancellationToken cancellationToken)
    {
        using var response = Namespace is null
            ? await Api.ListClusterCustomObjectWithHttpMessagesAsync<ObjectList<T>>(kind.Group, kind.Version, kind.Plural,
                fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: cancellationToken)
            : await Api.ListNamespacedCustomObjectWithHttpMessagesAsync<ObjectList<T>>(kind.Group, kind.Version, Namespace, kind.Plural,
                fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: cancellationToken);
        return (response.Body.Items, response.Body.Metadata?.ResourceVersion);
    }

    /// <summary>A watch from a resourceVersion for at most some seconds.</summary>
    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string? labelSelector, string? fieldSelector, string? resourceVersion, int timeoutSeconds, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = Namespace is null
            ? Api.WatchListClusterCustomObjectAsync(kind.Group, kind.Version, kind.Plural, allowWatchBookmarks: true,
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken)
            : Api.WatchListNamespacedCustomObjectAsync(kind.Group, kind.Version, Namespace, kind.Plural, allowWatchBookmarks: true,
                fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events)
            yield return (type, item is JsonElement json ? KubernetesJson.Deserialize<T>(json.GetRawText()) : (T)item);
    }

    /// <summary>What a wait follows: the objects a selector matches (one object when <paramref name="name"/> is given).</summary>
    public Watchable<T> Watchable(string? name = null, string? labelSelector = null)
    {
        var fieldSelector = name is null ? null : $"metadata.name={name}";
        return new Watchable<T>(
            token => ListAsync(labelSelector, fieldSelector, token),
            (resourceVersion, seconds, onError, token) => WatchAsync(labelSelector, fieldSelector, resourceVersion, seconds, onError, token));
    }

    /// <summary>Deletes the object (background propagation unless told otherwise); one that is gone already is fine.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken, string propagationPolicy = "Background", int? gracePeriodSeconds = null)
    {
        try
        {
            using var response = Namespace is null
                ? await Api.DeleteClusterCustomObjectWithHttpMessagesAsync(kind.Group, kind.Version, kind.Plural, name,
                    gracePeriodSeconds: gracePeriodSeconds, propagationPolicy: propagationPolicy, cancellationToken: cancellationToken)
                : await Api.DeleteNamespacedCustomObjectWithHttpMessagesAsync(kind.Group, kind.Version, Namespace, kind.Plural, name,
                    gracePeriodSeconds: gracePeriodSeconds, propagationPolicy: propagationPolicy, cancellationToken: cancellationToken);
            Evidence.Step(Namespace is null ? $"deleted {kind.Kind} `{name}`" : $"deleted {kind.Kind} `{Namespace}/{name}`");
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }
}
