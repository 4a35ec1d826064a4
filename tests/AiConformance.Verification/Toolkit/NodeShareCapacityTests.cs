using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Gangs;
using AiConformance.Verification.Simulation;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>
/// The capacity a coscheduling gang test sizes its group to, a share of one node's free CPU: N members fit and N+1
/// do not with half a share to spare, and when other namespaces' pods move the node's free CPU beyond that, it says so.
/// </summary>
public sealed class NodeShareCapacityTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: node-share
        kubernetesVersion: v1.35
        nodes:
          - name: worker
            capacity: {cpu: "8", memory: 32Gi}
        components:
          nodes: {}
          namespace-defaults: {}
        """;

    [Test]
    public async Task OthersPodsMovingTheNodesFreeCpuBeyondTheMarginAreReported()
    {
        await using var ns = await TestNamespace.CreateAsync("node-share", NewRunContext());
        var capacity = new NodeShareCapacity(ns);
        await capacity.ProvideAsync(3);
        // 8000m free: each of 3 members gets 2/7 of it, so 3 fit (6856m) and 4 do not (9142m); the margin is half a share.
        Assert.That(capacity.MemberCpu, Is.EqualTo("2285m"));
        Assert.That(await capacity.MovedAsync(), Is.Null, "nothing moved yet");

        var other = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("small", "1000m"), other, cancellationToken: Timeout);
        Assert.That(await capacity.MovedAsync(), Is.Null, "1000m is within the 1142m margin");

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("large", "500m"), other, cancellationToken: Timeout);
        Assert.That(await capacity.MovedAsync(), Is.EqualTo(
            "pods of other namespaces on node worker requested 0m CPU when the group was sized and 1500m now, beyond the 1142m margin its fit allows"));
    }

    private static V1Pod Pod(string name, string cpu) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = "worker",
            Containers = [new V1Container
            {
                Name = "main", Image = "registry.k8s.io/pause:3.10",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
            }],
        },
    };
}
