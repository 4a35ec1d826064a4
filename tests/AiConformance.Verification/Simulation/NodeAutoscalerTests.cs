using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The simulated cluster-autoscaler counts a group's nodes that have not registered yet (the scenario's own, as the
/// cluster starts) as upcoming nodes that pending pods will fit, as cluster-autoscaler does, and adds nodes only for
/// pods beyond them. Here no kubelet registers the scenario's node, so every pod stays pending.
/// </summary>
public sealed class NodeAutoscalerTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: upcoming-nodes
        nodes:
          - name: worker
            count: 1
            maxCount: 2
            capacity: {cpu: "4", memory: 8Gi}
        components:
          namespace-defaults: {}
          scheduler: {}
          cluster-autoscaler: {options: {scanInterval: 50ms, scaleUpDelay: 1h}}
        """;

    [Test]
    public async Task PodsThatFitANodeNotRegisteredYetTriggerNoScaleUpAndOneBeyondItDoes()
    {
        var ns = await NewNamespaceAsync();
        // Each pod takes 3 of a node's 4 CPUs: one fits the group's node that has not registered yet, the other needs a new one.
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("first"), ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("second"), ns, cancellationToken: Timeout);

        var events = await EventuallyAsync(() => ScaleUpEventsAsync(ns), seen => seen.Any(e => e.Reason == "TriggeredScaleUp"), "a scale-up");
        Assert.Multiple(() =>
        {
            Assert.That(events.Where(e => e.Reason == "TriggeredScaleUp").Select(e => e.InvolvedObject.Name).Distinct().Count(), Is.EqualTo(1),
                "one pod, the one beyond the node on its way, triggered the scale-up");
            Assert.That(events.Where(e => e.Reason == "NotTriggerScaleUp").Select(e => $"{e.InvolvedObject.Name}: {e.Message}"), Is.Empty,
                "no pod was left without a place: the node not registered yet takes one of them");
        });
    }

    private async Task<IReadOnlyList<Corev1Event>> ScaleUpEventsAsync(string ns) =>
        [.. (await Client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: Timeout)).Items.Where(e => e.Reason is "TriggeredScaleUp" or "NotTriggerScaleUp")];

    /// <summary>A pause pod taking 3 of a node's 4 CPUs, so that two never share a node.</summary>
    internal static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "main", Image = "registry.k8s.io/pause:3.10",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3") } },
            }],
        },
    };
}

/// <summary>
/// A node the simulated cluster-autoscaler added is not removed as unneeded while its accelerators are not published
/// yet (it is resource-unready: the pods it was added for cannot land there yet), as cluster-autoscaler gives such a
/// node <c>--scale-down-unready-time</c>; once its driver publishes them, the usual unneeded time applies. No DRA
/// driver runs here: the test publishes the node's ResourceSlice itself.
/// </summary>
public sealed class NodeAutoscalerUnreadyNodeTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: unready-nodes
        nodes:
          - name: gpu
            count: 1
            maxCount: 2
            capacity: {cpu: "4", memory: 8Gi}
            accelerators: [{vendor: nvidia, count: 1, via: dra}]
        components:
          nodes: {}
          kubelet: {}
          namespace-defaults: {}
          scheduler: {}
          cluster-autoscaler: {options: {scanInterval: 50ms, scaleUpDelay: 0s, scaleDownUnneededTime: 200ms, scaleDownDelayAfterAdd: 0s}}
        """;

    [Test]
    public async Task AnAddedNodeWhoseAcceleratorsAreNotPublishedIsKeptUntilTheyAre()
    {
        var ns = await NewNamespaceAsync();
        await PublishAcceleratorAsync("gpu"); // else the group's own node would count as one on its way, and nothing is added
        // Each pod takes 3 of a node's 4 CPUs: the second needs a node the group adds.
        await Client.CoreV1.CreateNamespacedPodAsync(NodeAutoscalerTests.Pod("first"), ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(NodeAutoscalerTests.Pod("second"), ns, cancellationToken: Timeout);
        var nodes = await EventuallyAsync(async () => (await Client.CoreV1.ListNodeAsync(cancellationToken: Timeout)).Items, seen => seen.Count == 2, "the group to add a node");
        var added = nodes.Single(node => node.Metadata.Name != "gpu").Metadata.Name;
        await Client.CoreV1.DeleteNamespacedPodAsync("second", ns, gracePeriodSeconds: 0, cancellationToken: Timeout);

        await Task.Delay(TimeSpan.FromSeconds(2)); // ten times the unneeded time
        Assert.That((await Client.CoreV1.ListNodeAsync(cancellationToken: Timeout)).Items.Select(node => node.Metadata.Name), Does.Contain(added),
            "the added node without its accelerators published is still there");

        await PublishAcceleratorAsync(added);
        await EventuallyAsync(async () => (await Client.CoreV1.ListNodeAsync(cancellationToken: Timeout)).Items, seen => seen.All(node => node.Metadata.Name != added),
            "the added node, its accelerator published and unneeded, to be removed");
    }

    /// <summary>What the node's DRA driver would publish: its GPU in a ResourceSlice.</summary>
    private Task PublishAcceleratorAsync(string node) => Client.ResourceV1.CreateResourceSliceAsync(new V1ResourceSlice
    {
        Metadata = new V1ObjectMeta { Name = $"{node}-gpu.nvidia.com" },
        Spec = new V1ResourceSliceSpec
        {
            Driver = "gpu.nvidia.com", NodeName = node,
            Pool = new V1ResourcePool { Name = node, Generation = 1, ResourceSliceCount = 1 },
            Devices = [new V1Device { Name = "gpu-0" }],
        },
    }, cancellationToken: Timeout);
}
