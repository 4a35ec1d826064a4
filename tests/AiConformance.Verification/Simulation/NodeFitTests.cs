using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;
using AiConformance.ClusterSim.Behaviours.Scheduling;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>Node fit on its own, as a gang scheduler or a cluster autoscaler uses it: on nodes that need not exist.</summary>
public sealed class NodeFitTests
{
    private static readonly NodeFitCheck Check = new(new DeviceAllocator(), _ => false);

    private static JsonObject Node(string name, string gpus, string? taint = null)
    {
        var node = JsonNode.Parse("""
            {"metadata": {"labels": {"pool": "gpu"}}, "spec": {},
             "status": {"allocatable": {"cpu": "8", "pods": "110"}, "conditions": [{"type": "Ready", "status": "True"}]}}
            """)!.AsObject();
        node["metadata"]!["name"] = name;
        node["status"]!["allocatable"]!["nvidia.com/gpu"] = gpus;
        if (taint is not null) node["spec"]!["taints"] = new JsonArray(new JsonObject { ["key"] = taint, ["effect"] = "NoSchedule" });
        return node;
    }

    private static JsonObject Pod(string name, int gpus, string? node = null)
    {
        var pod = JsonNode.Parse("""
            {"metadata": {"namespace": "ns"},
             "spec": {"nodeSelector": {"pool": "gpu"}, "containers": [{"name": "main", "resources": {"limits": {}}}]},
             "status": {"phase": "Running"}}
            """)!.AsObject();
        pod["metadata"]!["name"] = name;
        pod["metadata"]!["uid"] = name + "-uid";
        pod["spec"]!["nodeName"] = node;
        pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = gpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return pod;
    }

    private static SchedulingSnapshot Snapshot(params JsonObject[] pods) => new(pods, [], [], new Dictionary<string, JsonObject>());

    [Test]
    public void APodFitsAHypotheticalNodeWithFreeResources()
    {
        var fit = Check.Check(Pod("p", 2), [], Node("would-be-node", "4"), Snapshot());
        Assert.Multiple(() =>
        {
            Assert.That(fit.Fits, Is.True);
            Assert.That(fit.Reasons, Is.Empty);
        });
    }

    [Test]
    public void WhatIsAlreadyPlacedCountsAndTheReasonIsTyped()
    {
        var snapshot = Snapshot(Pod("running", 3, node: "n1"));
        var fit = Check.Check(Pod("p", 2), [], Node("n1", "4"), snapshot);
        Assert.Multiple(() =>
        {
            Assert.That(fit.Fits, Is.False);
            Assert.That(fit.Reasons, Is.EqualTo(new[] { "Insufficient nvidia.com/gpu" }));
            Assert.That(fit.Unsupported, Is.Null);
        });
    }

    [Test]
    public void AssumedPlacementsAreSeenByTheNextPod()
    {
        var snapshot = Snapshot();
        var node = Node("n1", "4");
        var first = Check.Check(Pod("a", 3), [], node, snapshot);
        snapshot.Assume(Pod("a", 3), "n1", first);
        Assert.Multiple(() =>
        {
            Assert.That(first.Fits, Is.True);
            Assert.That(Check.Check(Pod("b", 3), [], node, snapshot).Fits, Is.False, "a gang member assumed on the node holds its GPUs");
        });
    }

    [Test]
    public void TheFirstRefusingFilterDecides()
    {
        var fit = Check.Check(Pod("p", 9), [], Node("n1", "1", taint: "dedicated"), Snapshot());
        Assert.That(fit.Reasons, Is.EqualTo(new[] { "node(s) had untolerated taint {dedicated: }" }));
    }
}
