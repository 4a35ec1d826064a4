using System.Text.Json.Nodes;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// A PodGroup scheduler (here the Workload API's gang scheduling) places members that claim DRA devices as it places
/// their CPU: all or nothing. A group that fits only in part has no member bound and no claim allocated; a group that
/// fits has every member bound with a device of its own.
/// </summary>
public sealed class PodGroupDeviceGangTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: podgroup-device-gang
        kubernetesVersion: v1.36
        enabledApis: [scheduling.k8s.io/v1alpha2]
        nodes:
          - name: worker
            capacity: {cpu: "8", memory: 32Gi}
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
    public async Task AGroupWhoseDevicesFitOnlyInPartHasNoMemberBoundAndNoClaimAllocated()
    {
        var ns = await NewNamespaceAsync();
        await SubmitAsync(ns, "partial", members: 3);
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
        await SubmitAsync(ns, "fits", members: 2);
        foreach (var index in new[] { 0, 1 })
            await PodEventuallyAsync(ns, $"fits-{index}", pod => pod.Spec.NodeName == "worker", "bound to worker");
        var claims = await Client.ResourceV1.ListNamespacedResourceClaimAsync(ns, cancellationToken: Timeout);
        var devices = claims.Items.SelectMany(claim => claim.Allocated()).Select(result => $"{result.Pool}/{result.Device}").ToList();
        Assert.That(devices, Has.Count.EqualTo(2).And.Unique, "each member's claim has a device of its own");
    }

    private static bool Unschedulable(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable" }) == true;

    private async Task SubmitAsync(string ns, string group, int members)
    {
        await Client.ResourceV1.CreateNamespacedResourceClaimTemplateAsync(Claims.Template("gpu", "gpu.nvidia.com"), ns, cancellationToken: Timeout);
        for (var index = 0; index < members; index++)
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"{group}-{index}" },
                Spec = new V1PodSpec
                {
                    SchedulingGroup = new V1PodSchedulingGroup { PodGroupName = group },
                    ResourceClaims = [new V1PodResourceClaim { Name = "gpu", ResourceClaimTemplateName = "gpu" }],
                    Containers = [new V1Container
                    {
                        Name = "main", Image = "registry.k8s.io/pause:3.10",
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") },
                            Claims = [new Corev1ResourceClaim { Name = "gpu" }],
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
}
