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

    /// <summary>Objects of any namespaced kind in this namespace (<paramref name="kind"/>: where, when not the model's own).</summary>
    public ClusterObjects<T> Objects<T>(ApiKind? kind = null) where T : class, IKubernetesObject<V1ObjectMeta> => new(Kubernetes, Name, kind);

    /// <summary>Objects of any cluster-scoped kind (<paramref name="kind"/>: where, when not the model's own).</summary>
    public ClusterObjects<T> ClusterScoped<T>(ApiKind? kind = null) where T : class, IKubernetesObject<V1ObjectMeta> => new(Kubernetes, null, kind);

    /// <summary>
    /// Creates an object of any namespaced kind in this namespace, with the run's labels; its pods stay off the nodes
    /// another test keeps free.
    /// </summary>
    public Task<T> CreateAsync<T>(T item, ApiKind? kind = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Label(item.Metadata ??= new V1ObjectMeta());
        return Objects<T>(kind).CreateAsync(PodPlacementGuard.KeepOff(item, Run.NodesKeptFree.Nodes), Cancellation);
    }

    /// <summary>
    /// Creates a cluster-scoped object (a queue, a flavor, a priority class, a GatewayClass) with the run's labels; it is
    /// deleted when this namespace is disposed, so the test leaves nothing behind.
    /// </summary>
    public async Task<T> CreateClusterScopedAsync<T>(T item, ApiKind? kind = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Label(item.Metadata ??= new V1ObjectMeta());
        var objects = ClusterScoped<T>(kind);
        var created = await objects.CreateAsync(item, Cancellation);
        clusterScopedDeletions.Add(token => objects.DeleteAsync(created.Metadata.Name, token));
        return created;
    }

    /// <summary>
    /// Creates <c>aic-&lt;purpose&gt;-xxxxx</c>; <paramref name="purpose"/> is a short lowercase word. <paramref name="labels"/>
    /// are added to the run's (for a selector that picks namespaces by label).
    /// </summary>
    public static async Task<TestNamespace> CreateAsync(string purpose, RunContext? run = null, IReadOnlyDictionary<string, string>? labels = null)
    {
        run ??= RunContext.Current;
        var namespaceLabels = RunLabels(run);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>()) namespaceLabels.TryAdd(key, value);
        var created = await run.Kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"aic-{purpose}-",
                Labels = namespaceLabels,
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

    /// <summary>Deletes an object of any namespaced kind in this namespace; one that is gone already is fine.</summary>
    public Task DeleteAsync<T>(string name, int? gracePeriodSeconds = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Objects<T>().DeleteAsync(name, Cancellation, gracePeriodSeconds: gracePeriodSeconds);

    /// <summary>The pods of this namespace (one when <paramref name="name"/> is given), for waits.</summary>
    public Watchable<V1Pod> Pods(string? name = null) => Objects<V1Pod>().Watchable(name);

    /// <summary>The ResourceClaims of this namespace (one when <paramref name="name"/> is given), for waits.</summary>
    public Watchable<Resourcev1ResourceClaim> Claims(string? name = null) => Objects<Resourcev1ResourceClaim>().Watchable(name);

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
            var (gone, _) = await Wait.For(Itself()).Until($"namespace `{Name}` to be deleted", seen => seen.Count == 0)
                .Within(Timeouts.NamespaceDeleted).ReachedAsync(cleanup.Token);
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
