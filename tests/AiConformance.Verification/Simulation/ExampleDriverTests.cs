using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The DRA example driver (gpu.example.com): its slices, its class, and the GPU_DEVICE_N variables it injects.</summary>
public sealed class ExampleDriverTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: example-driver
        nodes:
          - name: worker
            accelerators: [{vendor: example, count: 4, via: dra}]
        """;

    [Test]
    public async Task ATemplateClaimGetsOneExampleGpuAnnouncedInTheEnvironment()
    {
        var slice = (await Client.ResourceV1.ListResourceSliceAsync(cancellationToken: Timeout)).Items.Single();
        Assert.That(slice.Spec.Driver, Is.EqualTo("gpu.example.com"));
        Assert.That(slice.Spec.Devices.Select(d => d.Attributes["model"].StringValue), Has.All.EqualTo("LATEST-GPU-MODEL"));

        var ns = await NewNamespaceAsync();
        await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(new V1ResourceClaimTemplate
        {
            Metadata = new V1ObjectMeta { Name = "single-gpu" },
            Spec = new V1ResourceClaimTemplateSpec
            {
                Spec = new V1ResourceClaimSpec
                {
                    Devices = new V1DeviceClaim { Requests = [new V1DeviceRequest { Name = "gpu", Exactly = new V1ExactDeviceRequest { DeviceClassName = "gpu.example.com" } }] },
                },
            },
        }, ns, cancellationToken: Timeout);
        var container = Container("ctr0", "ubuntu:22.04", "bash", "-c", "export; trap 'exit 0' TERM; sleep 9999 & wait");
        container.Resources = new V1ResourceRequirements { Claims = [new Corev1ResourceClaim { Name = "gpu" }] };
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "pod0" },
            Spec = new V1PodSpec { Containers = [container], ResourceClaims = [new V1PodResourceClaim { Name = "gpu", ResourceClaimTemplateName = "single-gpu" }] },
        }, ns, cancellationToken: Timeout);

        await PodEventuallyAsync(ns, "pod0", p => p.Status?.Phase == "Running", "Running");
        var log = await LogEventuallyAsync(ns, "pod0", l => l.Contains("GPU_DEVICE_"));
        var gpuLines = log.Split('\n').Where(l => l.Contains("GPU_DEVICE_")).ToList();
        Assert.That(gpuLines, Has.Count.EqualTo(1));
        Assert.That(gpuLines[0], Does.Match("^declare -x GPU_DEVICE_([0-3])=\"gpu-\\1\"$"));
    }
}
