using AiConformance.Suite.Framework;
using AiConformance.Verification.Simulation;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>
/// A node one test keeps free (the node a shrinking pool grew by) gets no pod of the others: a workload created through
/// the toolkit is scheduled on the other nodes only, and the accelerator inventory leaves the node out.
/// </summary>
public sealed class NodesKeptFreeTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: nodes-kept-free
        kubernetesVersion: v1.35
        nodes:
          - name: added
            capacity: {cpu: "8", memory: 32Gi}
          - name: baseline
            capacity: {cpu: "8", memory: 32Gi}
        components:
          nodes: {}
          namespace-defaults: {}
          scheduler: {}
          replicaset-controller: {}
          deployment-controller: {}
        """;

    [Test]
    public async Task AWorkloadCreatedWhileANodeIsKeptFreeIsScheduledOnlyOnTheOthers()
    {
        var run = NewRunContext();
        using var kept = run.NodesKeptFree.Keep(["added"]);
        await using var ns = await TestNamespace.CreateAsync("kept-free", run);
        var spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "main", Image = "registry.k8s.io/pause:3.10",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } },
            }],
        };
        await ns.CreateAsync(RoleWorkloads.Deployment("workload", 6, spec));

        var pods = await EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(ns.Name, cancellationToken: Timeout)).Items,
            items => items.Count == 6 && items.All(pod => !string.IsNullOrEmpty(pod.Spec.NodeName)), "6 pods scheduled");
        var inventory = await AcceleratorInventory.ReadAsync(run);

        Assert.Multiple(() =>
        {
            Assert.That(pods.Select(pod => pod.Spec.NodeName), Has.All.EqualTo("baseline"), "nodes the workload's pods were scheduled on");
            Assert.That(inventory.ReadyNodes.Select(node => node.Metadata.Name), Is.EqualTo(new[] { "baseline" }));
        });
    }
}
