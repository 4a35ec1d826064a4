using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Networks;
using AiConformance.Verification.Simulation;
using k8s;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>
/// The network interfaces a test claims are those published when it starts, not when the suite was loaded: an
/// autoscaler may have removed a node of the pool in between, and a claim selecting that node's interface would wait
/// in vain.
/// </summary>
public sealed class NetworkDetectionTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: nic-nodes
        kubernetesVersion: v1.35
        nodes:
          - name: nic-node
            count: 2
            accelerators: [{vendor: dranet, model: ConnectX-7, count: 2, via: dra}]
        components:
          nodes: {}
          dra-drivers: {}
          namespace-defaults: {}
        """;

    [Test]
    public async Task InterfacesOfANodeThatLeftAreNoLongerOffered()
    {
        var run = NewRunContext();
        var loaded = NetworkDetection.Detect(await AcceleratorInventory.ReadAsync(run), null).Found.Single();
        Assert.That(loaded.Devices.Select(device => device.Node).Distinct(), Is.EquivalentTo(new[] { "nic-node-0", "nic-node-1" }), loaded.Summary);

        // As an autoscaler removes a node: the Node goes, and its driver's slices with it.
        await Client.CoreV1.DeleteNodeAsync("nic-node-1", cancellationToken: Timeout);
        Host.Cluster.RemoveNode("nic-node-1");
        await EventuallyAsync(async () => (await Client.ResourceV1.ListResourceSliceAsync(cancellationToken: Timeout)).Items,
            slices => slices.All(slice => slice.Spec.NodeName != "nic-node-1"), "the slices of nic-node-1 to be gone");

        var current = await NetworkDetection.CurrentAsync(run, loaded);

        Assert.Multiple(() =>
        {
            Assert.That(current.Devices.Select(device => device.Node).Distinct(), Is.EquivalentTo(new[] { "nic-node-0" }), current.Summary);
            Assert.That(current.DeviceClass, Is.EqualTo(loaded.DeviceClass));
            Assert.That(current.NodesWithTwo, Is.EqualTo(new[] { "nic-node-0" }));
        });
    }
}
