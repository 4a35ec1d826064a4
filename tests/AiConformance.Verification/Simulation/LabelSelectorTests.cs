using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The cluster's one label-selector matcher, in each form the API writes a selector (apimachinery's semantics).</summary>
public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front", ["gpus"] = "4" };

    [TestCase("app=web", true)]
    [TestCase("app==web,tier=front", true)]
    [TestCase("app!=web", false)]
    [TestCase("missing!=x", true)]
    [TestCase("app in (db, web)", true)]
    [TestCase("app notin (web)", false)]
    [TestCase("missing notin (x)", true)]
    [TestCase("tier", true)]
    [TestCase("!tier", false)]
    [TestCase("!missing", true)]
    [TestCase("gpus>2", true)]
    [TestCase("gpus<2", false)]
    [TestCase("app>2", false)]
    [TestCase("", true)]
    public void TheQueryStringFormMatchesAsListAndWatchDo(string selector, bool matches) =>
        Assert.That(LabelSelector.Parse(selector).Matches(Web), Is.EqualTo(matches));

    [Test]
    public void AMalformedSetIsABadRequest() =>
        Assert.That(() => LabelSelector.Parse("app in web"), Throws.TypeOf<StatusException>().With.Property(nameof(StatusException.Code)).EqualTo(400));

    [Test]
    public void ANullLabelSelectorSelectsNothingAndAnEmptyOneEverything()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LabelSelector.FromLabelSelector(null).Matches(Web), Is.False);
            Assert.That(LabelSelector.FromLabelSelector(new JsonObject()).Matches(Web), Is.True);
            Assert.That(LabelSelector.FromMap(null).IsEverything, Is.True);
        });
    }

    [Test]
    public void MatchLabelsAndMatchExpressionsMustAllHold()
    {
        var selector = LabelSelector.FromLabelSelector(JsonNode.Parse("""
            {"matchLabels": {"app": "web"},
             "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "edge"]}, {"key": "canary", "operator": "DoesNotExist"}]}
            """));
        Assert.Multiple(() =>
        {
            Assert.That(selector.Matches(Web), Is.True);
            Assert.That(selector.Matches(new Dictionary<string, string>(Web) { ["canary"] = "" }), Is.False);
            Assert.That(selector.Matches(new Dictionary<string, string>(Web) { ["tier"] = "back" }), Is.False);
            Assert.That(selector.ToString(), Is.EqualTo("app=web,!canary,tier in (edge,front)"), "sorted by key, as a Scale's status.selector");
        });
    }

    [Test]
    public void AnUnknownOperatorMatchesNothing() =>
        Assert.That(LabelSelector.FromExpressions(JsonNode.Parse("""[{"key": "app", "operator": "Like", "values": ["w"]}]""")!.AsArray()).Matches(Web), Is.False);
}
