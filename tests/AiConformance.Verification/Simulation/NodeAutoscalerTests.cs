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

    private static V1Pod Pod(string name) => new()
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
