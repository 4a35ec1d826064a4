using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The behaviours write only what the scenario's Kubernetes version knows: a DRA pod runs without a fidelity violation.</summary>
public sealed class KubernetesVersionsTests
{
    [TestCase("v1.34")]
    [TestCase("v1.35")]
    [TestCase("v1.36")]
    public async Task ADraPodRunsAndEveryWriteFitsTheVersionsSchema(string version)
    {
        var directory = Directory.CreateTempSubdirectory("versions-").FullName;
        try
        {
            var file = Path.Combine(directory, "scenario.yaml");
            await File.WriteAllTextAsync(file, $"name: v\nkubernetesVersion: {version}\nnodes:\n  - name: n\n    accelerators: [{{vendor: nvidia, count: 1}}]\n");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var host = await SimulationHost.StartAsync(ScenarioLoader.Load(file), timeout.Token);
            var kubeconfig = Path.Combine(directory, "kubeconfig");
            host.Server.WriteKubeconfig(kubeconfig, KubeconfigIdentity.Admin);
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await client.ResourceV1.CreateNamespacedResourceClaimAsync(new Resourcev1ResourceClaim
            {
                Metadata = new V1ObjectMeta { Name = "gpu" },
                Spec = new V1ResourceClaimSpec
                {
                    Devices = new V1DeviceClaim { Requests = [new V1DeviceRequest { Name = "gpu", Exactly = new V1ExactDeviceRequest { DeviceClassName = "gpu.nvidia.com" } }] },
                },
            }, "default", cancellationToken: timeout.Token);
            await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "p" },
                Spec = new V1PodSpec
                {
                    Containers = [new V1Container { Name = "c", Image = "busybox", Command = ["sleep", "3600"], Resources = new V1ResourceRequirements { Claims = [new Corev1ResourceClaim { Name = "gpu" }] } }],
                    ResourceClaims = [new V1PodResourceClaim { Name = "gpu", ResourceClaimName = "gpu" }],
                },
            }, "default", cancellationToken: timeout.Token);
            V1Pod pod;
            do
            {
                await Task.Delay(20, timeout.Token);
                pod = await client.CoreV1.ReadNamespacedPodAsync("p", "default", cancellationToken: timeout.Token);
            } while (pod.Status?.Phase != "Running");

            Assert.Multiple(() =>
            {
                Assert.That(pod.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("True"));
                Assert.That(host.Server.FidelityViolations, Is.Empty);
                Assert.That(host.Cluster.Log.Warnings, Is.Empty);
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
