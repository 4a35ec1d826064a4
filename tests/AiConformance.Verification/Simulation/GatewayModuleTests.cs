using System.Collections.Specialized;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gateways;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>The simulated gateway's routing decisions, as the Gateway API specifies them, and its options.</summary>
public sealed class GatewayModuleTests
{
    private static JsonObject Route(string name, string created, string rules) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns", ["creationTimestamp"] = created },
        ["spec"] = new JsonObject { ["rules"] = JsonNode.Parse(rules) },
    };

    private static GatewayRequest Request(string path, params (string Name, string Value)[] headers)
    {
        var collection = new NameValueCollection();
        foreach (var (name, value) in headers) collection[name] = value;
        return new GatewayRequest("GET", path, [], collection, "gw");
    }

    private static string? Backend(MatchedRule? matched) => (string?)matched?.Rule["backendRefs"]?[0]?["name"];

    private static readonly JsonObject ByModel = Route("by-model", "2026-01-01T00:00:00Z", """
        [{"matches": [{"path": {"type": "PathPrefix", "value": "/v1"}, "headers": [{"name": "x-model", "value": "a"}]}], "backendRefs": [{"name": "a"}]},
         {"matches": [{"path": {"type": "PathPrefix", "value": "/v1"}, "headers": [{"name": "x-model", "value": "b"}]}], "backendRefs": [{"name": "b"}]},
         {"matches": [{"path": {"type": "Exact", "value": "/v1/models"}}], "backendRefs": [{"name": "list"}]},
         {"matches": [{"path": {"type": "PathPrefix", "value": "/v1/chat"}}], "backendRefs": [{"name": "chat"}]}]
        """);

    [TestCase("/v1/completions", "a", "a")]
    [TestCase("/v1/completions", "b", "b")]
    [TestCase("/v1/completions", "c", null)]
    [TestCase("/v1x", "a", null)]
    [TestCase("/v1/models", "a", "list")]
    [TestCase("/v1/chat/completions", "a", "chat")]
    public void RulesMatchByPathAndHeaderWithTheSpecifiedPrecedence(string path, string model, string? expected)
    {
        var matched = new HttpRouteMatcher(GatewayFaults.None).Match([ByModel], Request(path, ("x-model", model)));
        Assert.That(Backend(matched), Is.EqualTo(expected));
    }

    [Test]
    public void AGatewayThatIgnoresHeaderMatchesSendsEveryModelToTheFirstRule()
    {
        var matched = new HttpRouteMatcher(GatewayFaults.Catalog.Named("ignores-header-matches")!).Match([ByModel], Request("/v1/completions", ("x-model", "b")));
        Assert.That(Backend(matched), Is.EqualTo("a"));
    }

    [Test]
    public void OnATieTheOldestRouteWins()
    {
        var newer = Route("newer", "2026-02-01T00:00:00Z", """[{"backendRefs": [{"name": "newer"}]}]""");
        var older = Route("older", "2026-01-01T00:00:00Z", """[{"backendRefs": [{"name": "older"}]}]""");
        Assert.That(Backend(new HttpRouteMatcher(GatewayFaults.None).Match([newer, older], Request("/anything"))), Is.EqualTo("older"));
    }

    [Test]
    public void WeightsAreHonouredAndWeightZeroNeverChosen()
    {
        var counts = new int[3];
        for (var i = 0; i < 1000; i++) counts[GatewayFaults.None.ChooseBackend([80, 20, 0])]++;
        Assert.Multiple(() =>
        {
            Assert.That(counts[2], Is.Zero);
            Assert.That(counts[0], Is.InRange(700, 900));
        });
    }

    [Test]
    public void RequestHeaderModifierSetsAddsAndRemoves()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-a"] = "1", ["x-b"] = "2", ["x-gone"] = "3" };
        RequestHeaderModifier.Apply(JsonNode.Parse("""
            {"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-a", "value": "one"}], "add": [{"name": "x-b", "value": "two"}], "remove": ["x-gone"]}}
            """)!.AsObject(), headers);
        Assert.That(headers, Is.EquivalentTo(new Dictionary<string, string> { ["x-a"] = "one", ["x-b"] = "2,two" }));
    }

    [Test]
    public void UnknownOptionsAndFaultsAreNamed()
    {
        var problems = ComponentOptionReader.Read<GatewayOptions>("gateway-api", new ComponentOptions { Options = new() { ["fualt"] = "x", ["fault"] = "nope" } }).Problems;
        Assert.That(problems, Has.Some.Contains("options.fualt is not an option").And.Some.Contains("fault 'nope' is not a gateway fault"));
    }
}
