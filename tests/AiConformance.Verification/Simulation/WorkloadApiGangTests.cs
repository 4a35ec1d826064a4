using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Gangs.WorkloadApi;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The default scheduler's gang scheduling through the Workload API (<c>workload-api</c>): members of a PodGroup are
/// bound only when its gang <c>minCount</c> of them fit at once; a group that fits in part has no member bound, each
/// member unschedulable and the PodGroup's PodGroupScheduled condition False. Members that claim DRA devices are
/// placed the same way (the engine all PodGroup schedulers share): the whole group's claims are allocated, or none.
/// </summary>
public sealed class WorkloadApiGangTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: workload-api-gang
        kubernetesVersion: v1.36
        enabledApis: [scheduling.k8s.io/v1alpha2]
        nodes:
          - name: worker
            capacity: {cpu: "2", memory: 8Gi}
            accelerators:
              - {vendor: nvidia, count: 2, via: dra}
        components:
          nodes: {}
          namespace-defaults: {}
          dra-drivers: {}
          resourceclaim-controller: {}
          scheduler: {}
          workload-api: {}
        """;

    [Test]
    public async Task AGroupThatFitsWholeIsBoundTogether()
    {
        var ns = await NewNamespaceAsync();
        await SubmitAsync(ns, "fits", members: 2, cpu: "100m");
        foreach (var index in new[] { 0, 1 })
            await PodEventuallyAsync(ns, $"fits-{index}", pod => pod.Spec.NodeName == "worker", "bound to worker");
        await PodGroupConditionEventuallyAsync(ns, "fits", "True");
    }

    [Test]
    public async Task AGroupThatFitsOnlyInPartHasNoMemberBound()
    {
        var ns = await NewNamespaceAsync();
        // Two members of 800m fit the node's two CPUs, the third does not.
        await SubmitAsync(ns, "partial", members: 3, cpu: "800m");
        foreach (var index in new[] { 0, 1, 2 })
        {
            // The scheduler's verdict on the member: unschedulable, or bound (which must not happen).
            var pod = await PodEventuallyAsync(ns, $"partial-{index}", pod => pod.Spec.NodeName is not null || Unschedulable(pod), "a verdict");
            Assert.That(pod.Spec.NodeName, Is.Null, $"member {index} is bound although the group does not fit whole");
        }
        var condition = await PodGroupConditionEventuallyAsync(ns, "partial", "False");
        Assert.That((string?)condition["reason"], Is.EqualTo("Unschedulable"));
    }

    [Test]
    public async Task AGroupWhoseDevicesFitOnlyInPartHasNoMemberBoundAndNoClaimAllocated()
    {
        var ns = await NewNamespaceAsync();
        // Three members of 100m fit the node's CPU, but only two of them get one of its two GPUs.
        await SubmitAsync(ns, "partial", members: 3, cpu: "100m", gpu: true);
        foreach (var index in new[] { 0, 1, 2 })
        {
            var pod = await PodEventuallyAsync(ns, $"partial-{index}", pod => pod.Spec.NodeName is not null || Unschedulable(pod), "a verdict");
            Assert.That(pod.Spec.NodeName, Is.Null, $"member {index} is bound although only two of three devices are free");
        }
        var claims = await Client.ResourceV1.ListNamespacedResourceClaimAsync(ns, cancellationToken: Timeout);
        Assert.That(claims.Items.Where(claim => claim.IsAllocated()).Select(claim => claim.Describe()), Is.Empty, "claims allocated for a group left unplaced");
    }

    [Test]
    public async Task AGroupWhoseDevicesFitIsBoundWithADeviceForEachMember()
    {
        var ns = await NewNamespaceAsync();
        await SubmitAsync(ns, "fits", members: 2, cpu: "100m", gpu: true);
        foreach (var index in new[] { 0, 1 })
            await PodEventuallyAsync(ns, $"fits-{index}", pod => pod.Spec.NodeName == "worker", "bound to worker");
        var claims = await Client.ResourceV1.ListNamespacedResourceClaimAsync(ns, cancellationToken: Timeout);
        var devices = claims.Items.SelectMany(claim => claim.Allocated()).Select(result => $"{result.Pool}/{result.Device}").ToList();
        Assert.That(devices, Has.Count.EqualTo(2).And.Unique, "each member's claim has a device of its own");
    }

    [Test]
    public async Task AGroupWaitingForItsDeviceClassIsBoundOnceItExistsThoughNoPodChanged()
    {
        var ns = await NewNamespaceAsync();
        var deviceClass = $"late-{ns}";
        await SubmitAsync(ns, "waiting", members: 2, cpu: "100m", gpu: true, deviceClass: deviceClass);
        foreach (var index in new[] { 0, 1 })
            await PodEventuallyAsync(ns, $"waiting-{index}", Unschedulable, "unschedulable while its DeviceClass does not exist");

        // Only a DeviceClass appears: the scheduler must look again, as it watches what DRA placement depends on.
        await Client.ResourceV1.CreateDeviceClassAsync(new V1DeviceClass
        {
            Metadata = new V1ObjectMeta { Name = deviceClass },
            Spec = new V1DeviceClassSpec { Selectors = [new V1DeviceSelector { Cel = new V1CELDeviceSelector { Expression = "device.driver == 'gpu.nvidia.com'" } }] },
        }, cancellationToken: Timeout);
        try
        {
            foreach (var index in new[] { 0, 1 })
                await PodEventuallyAsync(ns, $"waiting-{index}", pod => pod.Spec.NodeName == "worker", "bound once its DeviceClass exists");
        }
        finally
        {
            // The node's two GPUs go back to the other tests.
            await Client.CoreV1.DeleteCollectionNamespacedPodAsync(ns, gracePeriodSeconds: 0, cancellationToken: Timeout);
            await Client.ResourceV1.DeleteDeviceClassAsync(deviceClass, cancellationToken: Timeout);
        }
    }

    private static bool Unschedulable(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable" }) == true;

    private async Task SubmitAsync(string ns, string group, int members, string cpu, bool gpu = false, string deviceClass = "gpu.nvidia.com")
    {
        if (gpu) await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(Claims.Template("gpu", deviceClass), ns, cancellationToken: Timeout);
        // Members first, as a pod may name its PodGroup before it exists: the scheduler sees the whole group at once.
        for (var index = 0; index < members; index++)
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"{group}-{index}" },
                Spec = new V1PodSpec
                {
                    SchedulingGroup = new V1PodSchedulingGroup { PodGroupName = group },
                    ResourceClaims = gpu ? [new V1PodResourceClaim { Name = "gpu", ResourceClaimTemplateName = "gpu" }] : null,
                    Containers = [new V1Container
                    {
                        Name = "main", Image = "registry.k8s.io/pause:3.10",
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) },
                            Claims = gpu ? [new Corev1ResourceClaim { Name = "gpu" }] : null,
                        },
                    }],
                },
            }, ns, cancellationToken: Timeout);
        var podGroup = new JsonObject
        {
            ["apiVersion"] = "scheduling.k8s.io/v1alpha2", ["kind"] = "PodGroup",
            ["metadata"] = new JsonObject { ["name"] = group },
            ["spec"] = new JsonObject { ["schedulingPolicy"] = new JsonObject { ["gang"] = new JsonObject { ["minCount"] = members } } },
        };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(podGroup, "scheduling.k8s.io", "v1alpha2", ns, "podgroups", cancellationToken: Timeout);
    }

    private async Task<JsonObject> PodGroupConditionEventuallyAsync(string ns, string group, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        JsonNode? seen;
        do
        {
            seen = JsonNode.Parse(KubernetesJson.Serialize(await Client.CustomObjects.GetNamespacedCustomObjectAsync(
                "scheduling.k8s.io", "v1alpha2", ns, "podgroups", group, cancellationToken: Timeout)));
            if ((seen?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(c => (string?)c["type"] == WorkloadApiBehaviour.ScheduledCondition && (string?)c["status"] == status) is { } condition)
                return condition;
            await Task.Delay(20);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"PodGroup {ns}/{group} never had {WorkloadApiBehaviour.ScheduledCondition}={status}; last: {seen?["status"]}");
        return null!;
    }
}
