using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// A namespace of one test, labelled with the run id, deleted when disposed whatever the test's outcome (and the
/// deletion awaited, so the next test starts on a clean cluster). Objects created through it carry the run label
/// and are written to the evidence.
/// </summary>
public sealed class TestNamespace : IAsyncDisposable
{
    private TestNamespace(RunContext run, string name)
    {
        Run = run;
        Name = name;
    }

    public RunContext Run { get; }

    public string Name { get; }

    public IKubernetes Kubernetes => Run.Kubernetes;

    public Timeouts Timeouts => Run.Timeouts();

    public CancellationToken Cancellation => Run.Cancellation;

    /// <summary>Cluster-scoped objects this test created, deleted after the namespace (newest first).</summary>
    private readonly List<Func<CancellationToken, Task>> clusterScopedDeletions = [];

    /// <summary>Objects of any namespaced kind in this namespace.</summary>
    public ClusterObjects<T> Objects<T>() where T : class, IKubernetesObject<V1ObjectMeta> => new(Kubernetes, Name);

    /// <summary>Objects of any cluster-scoped kind.</summary>
    public ClusterObjects<T> ClusterScoped<T>() where T : class, IKubernetesObject<V1ObjectMeta> => new(Kubernetes, null);

    /// <summary>Creates an object of any namespaced kind in this namespace, with the run's labels.</summary>
    public Task<T> CreateAsync<T>(T item) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Label(item.Metadata ??= new V1ObjectMeta());
        return Objects<T>().CreateAsync(item, Cancellation);
    }

    /// <summary>
    /// Creates a cluster-scoped object (a queue, a flavor, a priority class, a GatewayClass) with the run's labels; it is
    /// deleted when this namespace is disposed, so the test leaves nothing behind.
    /// </summary>
    public async Task<T> CreateClusterScopedAsync<T>(T item) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Label(item.Metadata ??= new V1ObjectMeta());
        var objects = ClusterScoped<T>();
        var created = await objects.CreateAsync(item, Cancellation);
        clusterScopedDeletions.Add(token => objects.DeleteAsync(created.Metadata.Name, token));
        return created;
    }

    /// <summary>Creates <c>aic-&lt;purpose&gt;-xxxxx</c>; <paramref name="purpose"/> is a short lowercase word.</summary>
    public static async Task<TestNamespace> CreateAsync(string purpose, RunContext? run = null)
    {
        run ??= RunContext.Current;
        var created = await run.Kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"aic-{purpose}-",
                Labels = RunLabels(run),
            },
        }, cancellationToken: run.Cancellation);
        Evidence.Created("Namespace", null, created.Metadata.Name);
        return new TestNamespace(run, created.Metadata.Name);
    }

    /// <summary>The labels every object of this run carries.</summary>
    public static Dictionary<string, string> RunLabels(RunContext run) => new()
    {
        [RunContext.RunLabel] = run.RunId,
        ["app.kubernetes.io/managed-by"] = "aiconformance",
    };

    public async Task<V1Pod> CreatePodAsync(V1Pod pod)
    {
        Label(pod.Metadata ??= new V1ObjectMeta());
        var created = await Kubernetes.CoreV1.CreateNamespacedPodAsync(pod, Name, cancellationToken: Cancellation);
        Evidence.Created("Pod", Name, created.Metadata.Name);
        return created;
    }

    public async Task<V1ResourceClaimTemplate> CreateClaimTemplateAsync(V1ResourceClaimTemplate template)
    {
        Label(template.Metadata ??= new V1ObjectMeta());
        var created = await Kubernetes.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(template, Name, cancellationToken: Cancellation);
        Evidence.Created("ResourceClaimTemplate", Name, created.Metadata.Name);
        return created;
    }

    public async Task<Resourcev1ResourceClaim> CreateClaimAsync(Resourcev1ResourceClaim claim)
    {
        Label(claim.Metadata ??= new V1ObjectMeta());
        var created = await Kubernetes.ResourceV1.CreateNamespacedResourceClaimAsync(claim, Name, cancellationToken: Cancellation);
        Evidence.Created("ResourceClaim", Name, created.Metadata.Name);
        return created;
    }

    public async Task DeletePodAsync(string name)
    {
        try
        {
            await Kubernetes.CoreV1.DeleteNamespacedPodAsync(name, Name, gracePeriodSeconds: 0, cancellationToken: Cancellation);
            Evidence.Step($"deleted Pod `{Name}/{name}`");
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    public async Task DeleteClaimAsync(string name)
    {
        try
        {
            await Kubernetes.ResourceV1.DeleteNamespacedResourceClaimAsync(name, Name, cancellationToken: Cancellation);
            Evidence.Step($"deleted ResourceClaim `{Name}/{name}`");
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    public Watchable<V1Pod> Pods(string? name = null) => new(
        async token =>
        {
            var list = await Kubernetes.CoreV1.ListNamespacedPodAsync(Name, fieldSelector: NameSelector(name), cancellationToken: token);
            return (list.Items, list.Metadata?.ResourceVersion);
        },
        (resourceVersion, seconds, onError, token) => Kubernetes.CoreV1.WatchListNamespacedPodAsync(Name,
            fieldSelector: NameSelector(name), resourceVersion: resourceVersion, timeoutSeconds: seconds, onError: onError,
            cancellationToken: token));

    public Watchable<Resourcev1ResourceClaim> Claims(string? name = null) => new(
        async token =>
        {
            var list = await Kubernetes.ResourceV1.ListNamespacedResourceClaimAsync(Name, fieldSelector: NameSelector(name), cancellationToken: token);
            return (list.Items, list.Metadata?.ResourceVersion);
        },
        (resourceVersion, seconds, onError, token) => Kubernetes.ResourceV1.WatchListNamespacedResourceClaimAsync(Name,
            fieldSelector: NameSelector(name), resourceVersion: resourceVersion, timeoutSeconds: seconds, onError: onError,
            cancellationToken: token));

    public async ValueTask DisposeAsync()
    {
        await DeleteNamespaceAsync();
        await DeleteClusterScopedAsync();
    }

    private async Task DeleteClusterScopedAsync()
    {
        using var cleanup = new CancellationTokenSource(Timeouts.NamespaceDeleted);
        foreach (var delete in Enumerable.Reverse(clusterScopedDeletions))
        {
            try
            {
                await delete(cleanup.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or HttpOperationException || TransientErrors.IsDroppedRead(error))
            {
                // Not fatal to the test; the object carries the run label, so what is left can be found and removed.
                TestContext.Out.WriteLine($"- cleanup: a cluster-scoped object could not be deleted ({error.Message}); it carries the label {RunContext.RunLabel}={Run.RunId}");
            }
        }
    }

    private async Task DeleteNamespaceAsync()
    {
        // Cleanup must run even when the run is being cancelled: a deadline of its own, and a failure is only reported.
        using var cleanup = new CancellationTokenSource(Timeouts.NamespaceDeleted);
        try
        {
            await Kubernetes.CoreV1.DeleteNamespaceAsync(Name, propagationPolicy: "Foreground", cancellationToken: cleanup.Token);
            var (gone, _) = await Eventually.WithinAsync(Itself(), seen => seen.Count == 0, $"namespace `{Name}` to be deleted",
                Timeouts.NamespaceDeleted, cleanup.Token);
            if (!gone) NotGone("still there");
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Gone already.
        }
        catch (Exception error) when (error is OperationCanceledException or HttpOperationException || TransientErrors.IsDroppedRead(error))
        {
            NotGone(error.Message);
        }
    }

    /// <summary>The sweep at the start of the next run removes what is left; say so rather than fail the test here.</summary>
    private void NotGone(string why) =>
        TestContext.Out.WriteLine($"- cleanup: namespace `{Name}` was not gone within {Timeouts.NamespaceDeleted.TotalSeconds:0} s ({why})");

    private Watchable<V1Namespace> Itself() => new(
        async token =>
        {
            var list = await Kubernetes.CoreV1.ListNamespaceAsync(fieldSelector: NameSelector(Name), cancellationToken: token);
            return (list.Items, list.Metadata?.ResourceVersion);
        },
        (resourceVersion, seconds, onError, token) => Kubernetes.CoreV1.WatchListNamespaceAsync(
            fieldSelector: NameSelector(Name), resourceVersion: resourceVersion, timeoutSeconds: seconds, onError: onError,
            cancellationToken: token));

    private void Label(V1ObjectMeta metadata)
    {
        metadata.Labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in RunLabels(Run)) metadata.Labels[key] = value;
    }

    private static string? NameSelector(string? name) => name is null ? null : $"metadata.name={name}";
}
