using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// For a scheduler without queues (scheduler-plugins coscheduling) the test's capacity is the free CPU of one node:
/// the untainted, ready node with the most CPU not requested by its pods, members pinned to it by node affinity and
/// each requesting an equal share, so exactly the members the test allows fit there. Nothing is changed on the node;
/// a busy node whose load grows meanwhile can only make the whole group wait longer, which the evidence shows.
/// </summary>
public sealed class NodeShareCapacity(TestNamespace ns) : IGangCapacity
{
    private string? node;
    private long shareMilliCpu;
    private long freeMilliCpu;

    public string Kind => node is null ? "an equal share of one node's free CPU" :
        $"CPU of node {node}: {shareMilliCpu}m per member (members pinned there), of {freeMilliCpu}m not requested by its pods";

    public string MemberCpu => $"{shareMilliCpu}m";

    public string? QueueName => null;

    public async Task ProvideAsync(int members)
    {
        var nodes = await ns.Kubernetes.CoreV1.ListNodeAsync(cancellationToken: ns.Cancellation);
        var candidates = new List<(string Name, long Free)>();
        foreach (var candidate in nodes.Items.Where(Schedulable))
            candidates.Add((candidate.Metadata.Name, await FreeMilliCpuAsync(candidate)));
        var best = candidates.OrderByDescending(c => c.Free).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        Evidence.Observed("free CPU of the schedulable nodes", string.Join(", ", candidates.Select(c => $"{c.Name}={c.Free}m")));
        if (best.Name is null || best.Free / members < 10)
            Outcome.NeedsAttestation($"no ready, untainted node has {members * 10}m CPU free for a group of {members} " +
                                     $"(seen: {string.Join(", ", candidates.Select(c => $"{c.Name}={c.Free}m"))}); attach evidence of all-or-nothing placement");
        (node, freeMilliCpu, shareMilliCpu) = (best.Name, best.Free, best.Free / members);
        Evidence.Step($"Pin the group to node `{node}`: {members} members of {shareMilliCpu}m fit its {freeMilliCpu}m free CPU exactly, one more does not");
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
        Assert.That(await FreeMilliCpuAsync(await ns.Kubernetes.CoreV1.ReadNodeAsync(node, cancellationToken: ns.Cancellation)),
            Is.GreaterThanOrEqualTo(shareMilliCpu), $"CPU free on node {node} once the group is gone");
    }

    private async Task<long> HeldMilliCpuAsync()
    {
        var (pods, _) = await ns.Objects<V1Pod>().ListAsync(null, $"spec.nodeName={node}", ns.Cancellation);
        return pods.Where(Holds).Sum(MilliCpu);
    }

    private bool Holds(V1Pod pod) => pod.Spec.NodeName == node && !PodWaits.HasEnded(pod);

    private async Task<long> FreeMilliCpuAsync(V1Node candidate)
    {
        var pods = await ns.Kubernetes.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={candidate.Metadata.Name}", cancellationToken: ns.Cancellation);
        var allocatable = candidate.Status?.Allocatable?.TryGetValue("cpu", out var cpu) == true ? (long)(cpu.ToDecimal() * 1000) : 0;
        return allocatable - pods.Items.Where(pod => !PodWaits.HasEnded(pod)).Sum(MilliCpu);
    }

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
