using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>
/// Who controls what in a test namespace: its pods, StatefulSets, Jobs and the driver's intermediate kinds by uid, to
/// follow an object's controller references up to the custom resource it was created for. KubeRay's pods name their
/// RayCluster; a LeaderWorkerSet's worker pod names its worker StatefulSet, which names the group's leader pod, whose
/// StatefulSet names the LeaderWorkerSet; a TrainJob's pod names its Job, which names the JobSet, which names the TrainJob;
/// an InferenceService's pod names its ReplicaSet, which names the Deployment, which names the InferenceService.
/// </summary>
public sealed class Ownership
{
    private const int MaxDepth = 8;
    private readonly Dictionary<string, IKubernetesObject<V1ObjectMeta>> byUid;

    private Ownership(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
        byUid = objects.Where(item => item.Metadata.Uid is not null).ToDictionary(item => item.Metadata.Uid, StringComparer.Ordinal);

    public static async Task<Ownership> ReadAsync(TestNamespace ns, IOperatorDriver driver)
    {
        var (pods, _) = await ns.Objects<V1Pod>().ListAsync(null, null, ns.Cancellation);
        var (sets, _) = await ns.Objects<V1StatefulSet>().ListAsync(null, null, ns.Cancellation);
        var (jobs, _) = await ns.Objects<V1Job>().ListAsync(null, null, ns.Cancellation);
        return new Ownership([.. pods, .. sets, .. jobs, .. await driver.IntermediatesAsync(ns)]);
    }

    /// <summary>The chain of controllers from <paramref name="item"/> up to <paramref name="uid"/> (<c>StatefulSet/a → LeaderWorkerSet/b</c>), or null where it does not lead there.</summary>
    public string? ControlChain(IKubernetesObject<V1ObjectMeta> item, string uid)
    {
        var chain = new List<string>();
        for (var current = item; chain.Count < MaxDepth;)
        {
            var controller = current.Metadata.OwnerReferences?.FirstOrDefault(reference => reference.Controller == true);
            if (controller is null) return null;
            chain.Add($"{controller.Kind}/{controller.Name}");
            if (controller.Uid == uid) return string.Join(" → ", chain);
            if (!byUid.TryGetValue(controller.Uid, out var next)) return null;
            current = next;
        }
        return null;
    }

    /// <summary><paramref name="uid"/> and every object whose owner references lead to it: what the garbage collector removes when it goes.</summary>
    public IReadOnlySet<string> Dependents(string uid)
    {
        var found = new HashSet<string>(StringComparer.Ordinal) { uid };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (itemUid, item) in byUid)
                if (!found.Contains(itemUid) && item.Metadata.OwnerReferences?.Any(reference => found.Contains(reference.Uid)) == true)
                    grew = found.Add(itemUid);
        }
        return found;
    }
}
