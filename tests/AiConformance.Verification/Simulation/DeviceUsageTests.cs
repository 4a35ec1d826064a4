using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The kubelet's device hand-off publishes who uses which device, as a metrics exporter reads it.</summary>
public sealed class DeviceUsageTests : SimulatedClusterFixture
{
    [Test]
    public async Task ARunningContainerIsListedWithTheDevicesItWasHandedUntilItsPodIsGone()
    {
        var ns = await NewNamespaceAsync();
        var gpu = Container("main", "busybox:1.36", "sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES; sleep 3600");
        gpu.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("1") } };
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "gpu" }, Spec = new V1PodSpec { Containers = [gpu] } },
            ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "plain" },
            Spec = new V1PodSpec { NodeName = "plugin-node", Containers = [Container("main", "busybox:1.36", "sleep", "3600")] },
        }, ns, cancellationToken: Timeout);
        var running = await PodEventuallyAsync(ns, "gpu", p => p.Status?.Phase == "Running", "Running");
        await PodEventuallyAsync(ns, "plain", p => p.Status?.Phase == "Running", "Running");
        var visible = (await LogEventuallyAsync(ns, "gpu", l => l.Length > 0)).Trim();

        var usage = Host.Cluster.DeviceUsage.All.Where(u => u.Namespace == ns).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(usage.Select(u => (u.Pod, u.Container, u.Node)), Is.EqualTo(new[] { ("gpu", "main", "plugin-node") }), "the pod without devices is not listed");
            Assert.That(usage.Single().PodUid, Is.EqualTo(running.Metadata.Uid));
            Assert.That(usage.Single().Devices.Select(d => d.Uuid), Is.EqualTo(new[] { visible }), "the device the container sees");
            Assert.That(usage.Single().Since, Is.LessThanOrEqualTo(DateTime.UtcNow));
            Assert.That(Host.Cluster.DeviceUsage.Using(usage.Single().Devices.Single()).Select(u => u.Pod), Is.EqualTo(new[] { "gpu" }));
        });

        await Client.CoreV1.DeleteNamespacedPodAsync("gpu", ns, gracePeriodSeconds: 0, cancellationToken: Timeout);
        await PodGoneAsync(ns, "gpu");
        Assert.That(Host.Cluster.DeviceUsage.All.Where(u => u.Namespace == ns), Is.Empty);
    }
}
