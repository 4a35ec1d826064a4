using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

public sealed class ScenarioCrdsTests
{
    [Test]
    public async Task AnEmbeddedCrdFolderIsInstalledAndServed()
    {
        var scenario = ScenarioLoader.Parse("name: gw\ncrds: [gateway-api-v1.6.1-standard]\ncomponents: {nodes: {}}\n", "inline");
        await using var host = await SimulationHost.StartAsync(Complete(scenario), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.That(host.Server.ResourceCatalog.ByApiVersionKind("gateway.networking.k8s.io/v1", "HTTPRoute"), Is.Not.Null);
    }

    [Test]
    public void AnUnknownCrdReferenceListsTheEmbeddedFolders()
    {
        var scenario = ScenarioLoader.Parse("name: gw\ncrds: [no-such-crds]\n", "inline");
        var error = Assert.ThrowsAsync<ScenarioException>(() => SimulationHost.StartAsync(Complete(scenario), CancellationToken.None))!;
        Assert.That(error.Message, Does.Contain("no-such-crds").And.Contain("gateway-api-v1.6.1-standard"));
    }

    private static Scenario Complete(Scenario scenario)
    {
        scenario.Components ??= [];
        scenario.Latencies ??= new Latencies();
        return scenario;
    }
}
