using AiConformance.ClusterSim.Behaviours.Scheduling;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

public sealed class FailedSchedulingMessageTests
{
    [Test]
    public void TheMessageHasKubeSchedulersShape()
    {
        // As published in AI-conformance evidence (kubectl describe pod, FailedScheduling).
        var message = FailedScheduling.Message(3, new Dictionary<string, int>
        {
            ["Insufficient nvidia.com/gpu"] = 2,
            ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"] = 1,
        }, hasClaims: false);
        Assert.That(message, Is.EqualTo(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient nvidia.com/gpu. " +
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."));
    }

    [Test]
    public void PodsWithClaimsSayNoClaimsCanBeDeallocated() =>
        Assert.That(FailedScheduling.Message(2, new Dictionary<string, int> { ["cannot allocate all claims"] = 2 }, hasClaims: true),
            Does.StartWith("0/2 nodes are available: 2 cannot allocate all claims. no new claims to deallocate, preemption: "));
}
