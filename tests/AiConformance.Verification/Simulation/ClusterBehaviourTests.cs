using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The core behaviours, seen as a client sees them: through the API with the real KubernetesClient.</summary>
public sealed class ClusterBehaviourTests : SimulatedClusterFixture
{
    private const string Busybox = "busybox:1.36";

    [Test]
    public async Task NodesAreRegisteredWithCapacityTaintsAndKubeletVersion()
    {
        var nodes = (await Client.CoreV1.ListNodeAsync(cancellationToken: Timeout)).Items.ToDictionary(n => n.Metadata.Name);
        Assert.Multiple(() =>
        {
            Assert.That(nodes.Keys, Is.EquivalentTo(new[] { "control-plane", "dra-node", "plugin-node" }));
            Assert.That(nodes["control-plane"].Spec.Taints.Single().Key, Is.EqualTo("node-role.kubernetes.io/control-plane"));
            Assert.That(nodes["dra-node"].Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("True"));
            Assert.That(nodes["dra-node"].Status.NodeInfo.KubeletVersion, Does.StartWith("v1.35."));
            Assert.That(nodes["plugin-node"].Status.Allocatable["nvidia.com/gpu"].ToString(), Is.EqualTo("2"), "device plugin resource");
            Assert.That(nodes["dra-node"].Status.Allocatable.ContainsKey("nvidia.com/gpu"), Is.False, "DRA GPUs are not an extended resource");
        });
    }

    [Test]
    public async Task TheDraDriverPublishesOneSliceWithItsDevicesAndItsDeviceClasses()
    {
        var slices = (await Client.ResourceV1.ListResourceSliceAsync(cancellationToken: Timeout)).Items;
        var classes = (await Client.ResourceV1.ListDeviceClassAsync(cancellationToken: Timeout)).Items.Select(c => c.Metadata.Name);
        var slice = slices.Single();
        Assert.Multiple(() =>
        {
            Assert.That(slice.Spec.Driver, Is.EqualTo("gpu.nvidia.com"));
            Assert.That(slice.Spec.NodeName, Is.EqualTo("dra-node"));
            Assert.That(slice.Spec.Devices.Select(d => d.Name), Is.EqualTo(new[] { "gpu-0", "gpu-1" }));
            Assert.That(slice.Spec.Devices[0].Attributes["type"].StringValue, Is.EqualTo("gpu"));
            Assert.That(slice.Spec.Devices[0].Attributes["uuid"].StringValue, Does.StartWith("GPU-"));
            Assert.That(slice.Metadata.OwnerReferences.Single().Kind, Is.EqualTo("Node"));
            Assert.That(classes, Does.Contain("gpu.nvidia.com"));
        });
    }

    [Test]
    public async Task APodWithAClaimTemplateRunsOnTheDraNodeAndSeesOnlyItsGpu()
    {
        var ns = await NewNamespaceAsync();
        await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(SingleGpuTemplate("one-gpu"), ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(ClaimingPod("gpu-pod", "one-gpu", "nvidia-smi -L; sleep 3600"), ns, cancellationToken: Timeout);

        var pod = await PodEventuallyAsync(ns, "gpu-pod", p => p.Status?.Phase == "Running", "Running");
        var claimName = pod.Status.ResourceClaimStatuses.Single().ResourceClaimName;
        var claim = await Client.ResourceV1.ReadNamespacedResourceClaimAsync(claimName, ns, cancellationToken: Timeout);
        var log = await LogEventuallyAsync(ns, "gpu-pod", l => l.Length > 0);
        var allocated = claim.Status.Allocation.Devices.Results.Single();
        Assert.Multiple(() =>
        {
            Assert.That(pod.Spec.NodeName, Is.EqualTo("dra-node"));
            Assert.That(claimName, Does.StartWith("gpu-pod-gpu-"));
            Assert.That(claim.Metadata.Annotations["resource.kubernetes.io/pod-claim-name"], Is.EqualTo("gpu"));
            Assert.That(claim.Metadata.OwnerReferences.Single().Uid, Is.EqualTo(pod.Metadata.Uid));
            Assert.That(claim.Status.ReservedFor.Single().Name, Is.EqualTo("gpu-pod"));
            Assert.That((allocated.Driver, allocated.Pool, allocated.Request), Is.EqualTo(("gpu.nvidia.com", "dra-node", "gpu")));
            Assert.That(log.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1).And.All.StartWith("GPU 0: "));
        });

        await Client.CoreV1.DeleteNamespacedPodAsync("gpu-pod", ns, cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.ResourceV1.ListNamespacedResourceClaimAsync(ns, cancellationToken: Timeout)).Items.Count == 0,
            "the generated claim is garbage-collected with its pod");
    }

    [Test]
    public async Task AClaimNoNodeCanSatisfyLeavesThePodPendingWithAFailedSchedulingEvent()
    {
        var ns = await NewNamespaceAsync();
        var template = SingleGpuTemplate("too-many");
        template.Spec.Spec.Devices.Requests[0].Exactly.Count = 3;
        await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(template, ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(ClaimingPod("greedy", "too-many", "sleep 3600"), ns, cancellationToken: Timeout);

        var pod = await PodEventuallyAsync(ns, "greedy", p => p.Status?.Conditions?.Any(c =>
            c.Type == "PodScheduled" && c.Reason == "Unschedulable" && c.Message.Contains("nodes are available")) == true, "PodScheduled=False/Unschedulable");
        var events = new List<Corev1Event>();
        await EventuallyAsync(async () =>
        {
            events = (await Client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: Timeout)).Items.Where(e => e.Reason == "FailedScheduling").ToList();
            return events.Count > 0;
        }, "a FailedScheduling event");
        Assert.Multiple(() =>
        {
            Assert.That(pod.Spec.NodeName, Is.Null);
            Assert.That(pod.Status.Phase, Is.EqualTo("Pending"));
            Assert.That(events.Single().Message, Does.StartWith("0/3 nodes are available: ")
                .And.Contain("1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")
                .And.Contain("cannot allocate all claims"));
        });
    }

    [Test]
    public async Task AClaimWithUnsupportedCelIsRefusedLoudly()
    {
        var ns = await NewNamespaceAsync();
        var template = SingleGpuTemplate("fancy");
        template.Spec.Spec.Devices.Requests[0].Exactly.Selectors =
            [new V1DeviceSelector { Cel = new V1CELDeviceSelector { Expression = "device.attributes['gpu.nvidia.com'].productName.matches('H100')" } }];
        await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(template, ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(ClaimingPod("fancy", "fancy", "sleep 3600"), ns, cancellationToken: Timeout);

        var pod = await PodEventuallyAsync(ns, "fancy", p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable" && c.Message.Contains("CEL")) == true, "Unschedulable");
        Assert.That(pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Message, Does.Contain("not supported by the simulated scheduler"));
        Assert.That(Host.Cluster.Log.Warnings, Has.Some.Contains("matches"));
    }

    [Test]
    public async Task DevicePluginGpusAreHandedOutOnePerRequestAndNeverTwice()
    {
        var ns = await NewNamespaceAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var pod = new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1PodSpec
                {
                    Containers = [Container("main", Busybox, "sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES; sleep 3600")],
                },
            };
            pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("1") } };
            await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);
        }
        await PodEventuallyAsync(ns, "a", p => p.Status?.Phase == "Running", "Running");
        await PodEventuallyAsync(ns, "b", p => p.Status?.Phase == "Running", "Running");
        var third = await PodEventuallyAsync(ns, "c", p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable" && c.Message.Contains("Insufficient")) == true, "Unschedulable");
        var seen = new[] { (await LogEventuallyAsync(ns, "a", l => l.Length > 0)).Trim(), (await LogEventuallyAsync(ns, "b", l => l.Length > 0)).Trim() };
        Assert.Multiple(() =>
        {
            Assert.That(seen, Has.All.StartWith("GPU-"));
            Assert.That(seen[0], Is.Not.EqualTo(seen[1]));
            Assert.That(third.Status.Conditions.Single(c => c.Type == "PodScheduled").Message, Does.Contain("Insufficient nvidia.com/gpu"));
        });
    }

    [Test]
    public async Task TheCudaSamplePassesOnlyWhereAGpuIsVisible()
    {
        var ns = await NewNamespaceAsync();
        await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(SingleGpuTemplate("one-gpu"), ns, cancellationToken: Timeout);
        var withGpu = ClaimingPod("with-gpu", "one-gpu", null, "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0");
        var without = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "without-gpu" },
            Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [Container("main", "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0")] },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(withGpu, ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(without, ns, cancellationToken: Timeout);

        var passed = await PodEventuallyAsync(ns, "with-gpu", p => p.Status?.Phase is "Succeeded" or "Failed", "finished");
        var failed = await PodEventuallyAsync(ns, "without-gpu", p => p.Status?.Phase is "Succeeded" or "Failed", "finished");
        Assert.Multiple(async () =>
        {
            Assert.That(passed.Status.Phase, Is.EqualTo("Succeeded"));
            Assert.That(await ReadLogAsync(ns, "with-gpu"), Does.Contain("Test PASSED"));
            Assert.That(failed.Status.Phase, Is.EqualTo("Failed"));
            Assert.That(failed.Status.ContainerStatuses.Single().State.Terminated.ExitCode, Is.EqualTo(1));
            Assert.That(await ReadLogAsync(ns, "without-gpu"), Does.Not.Contain("Test PASSED"));
        });
    }

    [Test]
    public async Task RestartPolicyDecidesWhatAFailingContainerBecomes()
    {
        var ns = await NewNamespaceAsync();
        foreach (var (name, policy) in new[] { ("never", "Never"), ("always", "Always") })
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1PodSpec { RestartPolicy = policy, Containers = [Container("main", Busybox, "sh", "-c", "echo bye; exit 3")] },
            }, ns, cancellationToken: Timeout);

        var never = await PodEventuallyAsync(ns, "never", p => p.Status?.Phase == "Failed", "Failed");
        var always = await PodEventuallyAsync(ns, "always", p => p.Status?.ContainerStatuses?.Single().RestartCount >= 1, "a restart");
        Assert.Multiple(() =>
        {
            Assert.That(never.Status.ContainerStatuses.Single().State.Terminated.ExitCode, Is.EqualTo(3));
            Assert.That(never.Status.ContainerStatuses.Single().State.Terminated.Reason, Is.EqualTo("Error"));
            Assert.That(always.Status.Phase, Is.EqualTo("Running"));
            Assert.That(always.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task AnIndexedJobRunsEachIndexToCompletion()
    {
        var ns = await NewNamespaceAsync();
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "indexed" },
            Spec = new V1JobSpec
            {
                Completions = 3,
                Parallelism = 3,
                CompletionMode = "Indexed",
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [Container("main", Busybox, "sh", "-c", "echo index $JOB_COMPLETION_INDEX")] },
                },
            },
        };
        await Client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: Timeout);
        await EventuallyAsync(async () =>
            (await Client.BatchV1.ReadNamespacedJobAsync("indexed", ns, cancellationToken: Timeout)).Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true,
            "the Job completes");
        var done = await Client.BatchV1.ReadNamespacedJobAsync("indexed", ns, cancellationToken: Timeout);
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=indexed", cancellationToken: Timeout)).Items;
        var logs = new List<string>();
        foreach (var pod in pods) logs.Add((await ReadLogAsync(ns, pod.Metadata.Name)).Trim());
        Assert.Multiple(() =>
        {
            Assert.That(done.Status.Succeeded, Is.EqualTo(3));
            Assert.That(done.Status.CompletedIndexes, Is.EqualTo("0-2"));
            Assert.That(logs, Is.EquivalentTo(new[] { "index 0", "index 1", "index 2" }));
        });
    }

    [Test]
    public async Task ADeploymentBehindAServiceGetsReadyEndpoints()
    {
        var ns = await NewNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.27", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] }] },
                },
            },
        }, ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http" }] },
        }, ns, cancellationToken: Timeout);

        await EventuallyAsync(async () => (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Timeout)).Status?.AvailableReplicas == 2,
            "two available replicas");
        V1EndpointSlice? slice = null;
        await EventuallyAsync(async () =>
        {
            slice = (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: "kubernetes.io/service-name=web", cancellationToken: Timeout)).Items.SingleOrDefault();
            return slice?.Endpoints?.Count(e => e.Conditions.Ready == true) == 2;
        }, "two ready endpoints");
        Assert.That(slice!.Ports.Single().Port, Is.EqualTo(8080), "the named target port is resolved");
    }

    [Test]
    public async Task AJobWhosePodsKeepFailingStopsAtItsBackoffLimit()
    {
        var ns = await NewNamespaceAsync();
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "doomed" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 1,
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [Container("main", Busybox, "sh", "-c", "exit 1")] } },
            },
        }, ns, cancellationToken: Timeout);
        V1Job? job = null;
        await EventuallyAsync(async () =>
        {
            job = await Client.BatchV1.ReadNamespacedJobAsync("doomed", ns, cancellationToken: Timeout);
            return job.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true;
        }, "the Job fails");
        Assert.Multiple(() =>
        {
            Assert.That(job!.Status.Failed, Is.EqualTo(2), "the first try and one retry");
            Assert.That(job.Status.Conditions.Single(c => c.Type == "Failed").Reason, Is.EqualTo("BackoffLimitExceeded"));
            Assert.That(job.Status.Succeeded ?? 0, Is.Zero);
        });
    }

    [Test]
    public async Task ChangingADeploymentsTemplateRollsItToANewReplicaSet()
    {
        var ns = await NewNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "roll" };
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "roll" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [Container("web", "nginx:1.26")] } },
            },
        };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns, cancellationToken: Timeout);
        await EventuallyAsync(async () => (await Client.AppsV1.ReadNamespacedDeploymentAsync("roll", ns, cancellationToken: Timeout)).Status?.AvailableReplicas == 1, "the first rollout");

        var current = await Client.AppsV1.ReadNamespacedDeploymentAsync("roll", ns, cancellationToken: Timeout);
        current.Spec.Template.Spec.Containers[0].Image = "nginx:1.27";
        await Client.AppsV1.ReplaceNamespacedDeploymentAsync(current, "roll", ns, cancellationToken: Timeout);

        await EventuallyAsync(async () =>
        {
            var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=roll", cancellationToken: Timeout)).Items;
            return pods.Count == 1 && pods[0].Spec.Containers[0].Image == "nginx:1.27" && pods[0].Status?.Phase == "Running";
        }, "one running pod of the new template");
        var replicaSets = (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Timeout)).Items;
        Assert.That(replicaSets.Select(r => (r.Spec.Template.Spec.Containers[0].Image, r.Spec.Replicas)),
            Is.EquivalentTo(new[] { ("nginx:1.26", (int?)0), ("nginx:1.27", (int?)1) }));
    }

    [Test]
    public async Task AContainerWithAReadinessProbeIsReadyOnlyAfterItsInitialDelay()
    {
        var ns = await NewNamespaceAsync();
        var container = Container("main", Busybox, "sleep", "3600");
        container.ReadinessProbe = new V1Probe { InitialDelaySeconds = 1, Exec = new V1ExecAction { Command = ["true"] } };
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "slow" }, Spec = new V1PodSpec { Containers = [container] } },
            ns, cancellationToken: Timeout);

        var running = await PodEventuallyAsync(ns, "slow", p => p.Status?.Phase == "Running", "Running");
        var ready = await PodEventuallyAsync(ns, "slow", p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "Ready");
        Assert.Multiple(() =>
        {
            Assert.That(running.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("False"), "not ready while the probe's delay runs");
            Assert.That(ready.Status.ContainerStatuses.Single().Ready, Is.True);
        });
    }

    private async Task<string> ReadLogAsync(string ns, string pod)
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, cancellationToken: Timeout);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(20);
        }
        Assert.Fail($"never happened: {what}; simulation warnings:\n{string.Join('\n', Host.Cluster.Log.Warnings.Distinct().TakeLast(10))}");
    }

    private static V1ResourceClaimTemplate SingleGpuTemplate(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ResourceClaimTemplateSpec
        {
            Spec = new V1ResourceClaimSpec
            {
                Devices = new V1DeviceClaim
                {
                    Requests = [new V1DeviceRequest { Name = "gpu", Exactly = new V1ExactDeviceRequest { DeviceClassName = "gpu.nvidia.com" } }],
                },
            },
        },
    };

    private static V1Pod ClaimingPod(string name, string template, string? script, string image = Busybox)
    {
        var container = script is null ? Container("main", image) : Container("main", image, "sh", "-c", script);
        container.Resources = new V1ResourceRequirements { Claims = [new Corev1ResourceClaim { Name = "gpu" }] };
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                Containers = [container],
                ResourceClaims = [new V1PodResourceClaim { Name = "gpu", ResourceClaimTemplateName = template }],
            },
        };
    }
}
