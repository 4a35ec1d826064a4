using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Autoscaling;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class NodePoolSelectorTests
{
    private const string Source = "configuration key 'clusterAutoscaling.nodePoolSelector'";

    [Test]
    public void EveryOperatorOfTheLabelSelectorSyntaxBecomesANodeAffinityRequirement()
    {
        var selector = NodePoolSelector.Parse("pool=gpu, tier!=spot, zone in (a, b), arch notin (arm64), accelerator, !cordoned", Source);

        Assert.That(selector.Requirements.Select(r => $"{r.Key} {r.OperatorProperty} {string.Join("|", r.Values ?? [])}"), Is.EqualTo(new[]
        {
            "pool In gpu", "tier NotIn spot", "zone In a|b", "arch NotIn arm64", "accelerator Exists ", "cordoned DoesNotExist ",
        }));
        Assert.That(selector.ToAffinity().NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchExpressions,
            Has.Count.EqualTo(6));
    }

    [Test]
    public void MatchesTheNodesOfThePoolOnly()
    {
        var selector = NodePoolSelector.Parse("karpenter.sh/nodepool in (gpu,gpu-spot),!cordoned", Source);

        Assert.Multiple(() =>
        {
            Assert.That(selector.Matches(Labels(("karpenter.sh/nodepool", "gpu"))), Is.True);
            Assert.That(selector.Matches(Labels(("karpenter.sh/nodepool", "gpu-spot"))), Is.True);
            Assert.That(selector.Matches(Labels(("karpenter.sh/nodepool", "cpu"))), Is.False);
            Assert.That(selector.Matches(Labels(("karpenter.sh/nodepool", "gpu"), ("cordoned", "true"))), Is.False);
            Assert.That(selector.Matches(null), Is.False);
        });
    }

    [TestCase("")]
    [TestCase("pool=gpu,,tier=a")]
    [TestCase("zone in a,b")]
    [TestCase("two words=x")]
    public void BadSelectorGetsOneLineWithAHint(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodePoolSelector.Parse(text, Source))!;

        Assert.That(error.Message, Does.StartWith($"{Source} '{text}' is not a label selector:").And.Contain("hint:").And.Not.Contain("\n"));
    }

    private static Dictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToDictionary(label => label.Key, label => label.Value);
}
