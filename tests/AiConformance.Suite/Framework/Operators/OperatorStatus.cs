using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>How every driver waits for its custom resource's status to say its workloads are ready.</summary>
public static class OperatorStatus
{
    /// <summary>
    /// Watches the resource <paramref name="name"/> until <paramref name="isReady"/> holds, within the Reconciled
    /// timeout; a timeout reports the status as <paramref name="describe"/> words it. Returns the ready status described.
    /// </summary>
    public static async Task<string> WaitReadyAsync<T>(TestNamespace ns, string name, string what, Func<T, bool> isReady, Func<T, string> describe)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = typeof(T).Name;
        var seen = await Wait.For(ns.Objects<T>().Watchable(name))
            .Until($"{kind} `{name}` {what}", items => items.Count == 1 && isReady(items[0]))
            .DescribedBy(items => items.Count == 0 ? $"no {kind}" : describe(items[0]))
            .Within(ns.Timeouts.Reconciled).Async(ns.Cancellation);
        return describe(seen[0]);
    }
}
