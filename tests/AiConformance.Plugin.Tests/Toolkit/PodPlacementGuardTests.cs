using System.Text.Json.Nodes;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class PodPlacementGuardTests
{
    private static readonly IReadOnlySet<string> Added = new HashSet<string> { "gpu-node-x" };

    [Test]
    public void APodWithoutAffinityIsKeptOffTheNodesAndMarkedNotEvictable()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "probe" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }] } };

        var guarded = PodPlacementGuard.KeepOff(pod, Added);

        var terms = guarded.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms;
        Assert.Multiple(() =>
        {
            Assert.That(terms, Has.Count.EqualTo(1));
            Assert.That(terms[0].MatchFields.Select(Describe), Is.EqualTo(new[] { "metadata.name NotIn gpu-node-x" }));
            Assert.That(guarded.Metadata.Annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"], Is.EqualTo("false"));
            Assert.That(guarded.Metadata.Annotations["karpenter.sh/do-not-disrupt"], Is.EqualTo("true"));
            Assert.That(pod.Spec.Affinity, Is.Null, "the object given is left as it was");
        });
    }

    [Test]
    public void EachTermOfAWorkloadsOwnAffinityAlsoExcludesTheNodes()
    {
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "servers" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector(),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "false" } },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container { Name = "c" }],
                        Affinity = new V1Affinity
                        {
                            NodeAffinity = new V1NodeAffinity
                            {
                                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                                {
                                    NodeSelectorTerms =
                                    [
                                    new V1NodeSelectorTerm { MatchExpressions = [Requirement("gpu")] },
                                    new V1NodeSelectorTerm { MatchExpressions = [Requirement("spare")] },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
        };

        var guarded = PodPlacementGuard.KeepOff(deployment, Added);

        var terms = guarded.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms;
        Assert.Multiple(() =>
        {
            Assert.That(terms.Select(term => term.MatchExpressions.Single().Values.Single()), Is.EqualTo(new[] { "gpu", "spare" }), "the workload's own terms are kept");
            Assert.That(terms.Select(term => Describe(term.MatchFields.Single())), Has.All.EqualTo("metadata.name NotIn gpu-node-x"));
            Assert.That(guarded.Spec.Template.Metadata.Annotations["karpenter.sh/do-not-disrupt"], Is.EqualTo("false"), "an annotation the workload set is kept");
            Assert.That(guarded.Spec.Template.Metadata.Annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"], Is.EqualTo("false"));
            Assert.That(guarded.Metadata.Annotations, Is.Null, "only pods and pod templates are marked");
        });
    }

    [Test]
    public void PodSpecsInsideACustomResourceAreGuardedToo()
    {
        var cluster = CustomObject.Named("ray", JsonNode.Parse("""
            {"headGroupSpec": {"template": {"spec": {"containers": [{"name": "head"}]}}},
             "workerGroupSpecs": [{"groupName": "w", "template": {"spec": {"containers": [{"name": "worker"}]}}}]}
            """)!.AsObject());

        var guarded = PodPlacementGuard.KeepOff(cluster, Added);

        var json = JsonNode.Parse(KubernetesJson.Serialize(guarded))!;
        foreach (var template in new[] { json["spec"]!["headGroupSpec"]!["template"]!, json["spec"]!["workerGroupSpecs"]![0]!["template"]! })
        {
            Assert.That(template["spec"]!["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]![0]!["matchFields"]![0]!["values"]![0]!.GetValue<string>(),
                Is.EqualTo("gpu-node-x"));
            Assert.That(template["metadata"]!["annotations"]!["cluster-autoscaler.kubernetes.io/safe-to-evict"]!.GetValue<string>(), Is.EqualTo("false"));
        }
    }

    [Test]
    public void AnObjectWithoutPodsOrWithNoNodeKeptFreeIsLeftAsItIs()
    {
        var service = new V1Service { Metadata = new V1ObjectMeta { Name = "s" }, Spec = new V1ServiceSpec() };
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }] } };
        Assert.Multiple(() =>
        {
            Assert.That(PodPlacementGuard.KeepOff(service, Added), Is.SameAs(service));
            Assert.That(PodPlacementGuard.KeepOff(pod, new HashSet<string>()), Is.SameAs(pod));
        });
    }

    [Test]
    public void NodesAreKeptFreeUntilTheirHandleIsDisposed()
    {
        var kept = new NodesKeptFree();
        var first = kept.Keep(["a"]);
        using (kept.Keep(["b"]))
        {
            Assert.That(kept.Nodes, Is.EquivalentTo(new[] { "a", "b" }));
        }
        first.Dispose();
        first.Dispose();
        Assert.That(kept.Nodes, Is.Empty);
    }

    private static V1NodeSelectorRequirement Requirement(string pool) => new() { Key = "pool", OperatorProperty = "In", Values = [pool] };

    private static string Describe(V1NodeSelectorRequirement requirement) => $"{requirement.Key} {requirement.OperatorProperty} {string.Join(",", requirement.Values)}";
}
