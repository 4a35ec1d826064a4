using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>Waits that watch: a condition on a set of objects, evaluated after the list and after every event.</summary>
internal static class Watching
{
    /// <summary>
    /// Lists, then watches from the list's resourceVersion until <paramref name="holds"/> is true of the current objects;
    /// fails with what was last seen when it is not within 30 seconds.
    /// </summary>
    public static async Task<List<T>> UntilAsync<T, TList>(Func<CancellationToken, Task<TList>> list,
        Func<string, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch, Func<IReadOnlyList<T>, bool> holds, string what)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new Dictionary<string, T>();
        try
        {
            while (true)
            {
                var listed = await list(deadline.Token);
                seen = listed.Items.ToDictionary(i => i.Metadata.Name);
                if (holds([.. seen.Values])) return [.. seen.Values];
                await foreach (var (type, item) in watch(listed.Metadata.ResourceVersion, deadline.Token))
                {
                    if (type == WatchEventType.Deleted) seen.Remove(item.Metadata.Name);
                    else if (type is WatchEventType.Added or WatchEventType.Modified) seen[item.Metadata.Name] = item;
                    if (holds([.. seen.Values])) return [.. seen.Values];
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Assert.Fail($"never happened: {what}; last seen: {KubernetesJson.Serialize(seen.Values)}");
            throw;
        }
    }
}
