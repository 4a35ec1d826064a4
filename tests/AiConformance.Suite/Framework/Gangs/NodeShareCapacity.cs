using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// For a scheduler without queues (scheduler-plugins coscheduling) the test's capacity is the free CPU of one node:
/// the untainted, ready node with the most CPU not requested by its pods, members pinned to it by node affinity. Each
/// member requests 2/(2N+1) of that free CPU, so N members fit and N+1 do not with half a share to spare either way:
/// other pods coming or going there by less than that change nothing. Nothing is changed on the node; when others'
/// requests move by more, <see cref="MovedAsync"/> says so and a failing step cannot be decided.
/// </summary>
public sealed class NodeShareCapacity(TestNamespace ns) : IGangCapacity
{
    private string? node;
    private long shareMilliCpu;
    private long freeMilliCpu;
    private long othersMilliCpu;

    public string Kind => node is null ? "a share of one node's free CPU" :
        $"CPU of node {node}: {shareMilliCpu}m per member (members pinned there), of {freeMilliCpu}m not requested by its pods";

    public string MemberCpu => $"{shareMilliCpu}m";

    public string? QueueName => null;

    private long Margin => shareMilliCpu / 2;

    public async Task ProvideAsync(int members)
    {
        var nodes = await ns.Kubernetes.CoreV1.ListNodeAsync(cancellationToken: ns.Cancellation);
        var candidates = new List<(string Name, long Allocatable, long Requested)>();
        foreach (var candidate in nodes.Items.Where(Schedulable))
            candidates.Add((candidate.Metadata.Name, AllocatableMilliCpu(candidate), await OthersMilliCpuAsync(candidate.Metadata.Name)));
        var seen = string.Join(", ", candidates.Select(c => $"{c.Name}={c.Allocatable - c.Requested}m"));
        var best = candidates.OrderByDescending(c => c.Allocatable - c.Requested).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        Evidence.Observed("free CPU of the schedulable nodes", seen);
        var share = best.Name is null ? 0 : 2 * (best.Allocatable - best.Requested) / (2 * members + 1);
        if (share < 10)
            Outcome.NeedsAttestation($"no ready, untainted node has {(2 * members + 1) * 5}m CPU free for a group of {members} " +
                                     $"(seen: {seen}); attach evidence of all-or-nothing placement");
        (node, freeMilliCpu, othersMilliCpu, shareMilliCpu) = (best.Name, best.Allocatable - best.Requested, best.Requested, share);
        Evidence.Step($"Pin the group to node `{node}`: {members} members of {shareMilliCpu}m fit its {freeMilliCpu}m free CPU, one more does not " +
                      $"(a margin of {Margin}m either way for other pods there)");
    }

    public async Task<string?> MovedAsync()
    {
        if (node is null) return null;
        var now = await OthersMilliCpuAsync(node);
        return Math.Abs(now - othersMilliCpu) <= Margin ? null
            : $"pods of other namespaces on node {node} requested {othersMilliCpu}m CPU when the group was sized and {now}m now, " +
              $"beyond the {Margin}m margin its fit allows";
    }

    public void Place(V1Pod member) => member.Spec.Affinity = new V1Affinity
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
            {
                NodeSelectorTerms = [new V1NodeSelectorTerm
                {
                    MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [node!] }],
                }],
            },
        },
    };

    public async Task<(bool InUse, string Described)> UsageAsync()
    {
        var held = await HeldMilliCpuAsync();
        return (held > 0, $"the test's pods request {held}m CPU on node {node}");
    }

    public async Task WaitReleasedAsync()
    {
        var seen = await Wait.For(ns.Pods())
            .Until($"no pod of the test to hold CPU on node {node}", pods => !pods.Any(Holds))
            .DescribedBy(PodWaits.Describe)
            .Within(ns.Timeouts.ObjectCreated).Async(ns.Cancellation);
        Evidence.Observed($"node {node} after the group", $"the test's pods request {seen.Where(Holds).Sum(MilliCpu)}m CPU there");
    }

    private async Task<long> HeldMilliCpuAsync()
    {
        var (pods, _) = await ns.Objects<V1Pod>().ListAsync(null, $"spec.nodeName={node}", ns.Cancellation);
        return pods.Where(Holds).Sum(MilliCpu);
    }

    private bool Holds(V1Pod pod) => pod.Spec.NodeName == node && !PodWaits.HasEnded(pod);

    /// <summary>CPU requested on the node by pods that are not the test's.</summary>
    private async Task<long> OthersMilliCpuAsync(string nodeName)
    {
        var pods = await ns.Kubernetes.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={nodeName}", cancellationToken: ns.Cancellation);
        return pods.Items.Where(pod => !PodWaits.HasEnded(pod) && pod.Metadata.NamespaceProperty != ns.Name).Sum(MilliCpu);
    }

    private static long AllocatableMilliCpu(V1Node candidate) =>
        candidate.Status?.Allocatable?.TryGetValue("cpu", out var cpu) == true ? (long)(cpu.ToDecimal() * 1000) : 0;

    private static long MilliCpu(V1Pod pod) =>
        pod.Spec.Containers.Sum(container =>
            (container.Resources?.Requests?.TryGetValue("cpu", out var request) == true ? request
                : container.Resources?.Limits?.TryGetValue("cpu", out var limit) == true ? limit : null) is { } quantity
                ? (long)(quantity.ToDecimal() * 1000) : 0);

    private static bool Schedulable(V1Node candidate) =>
        candidate.Spec?.Unschedulable != true
        && candidate.Spec?.Taints?.Any(taint => taint.Effect is "NoSchedule" or "NoExecute") != true
        && candidate.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;
}
