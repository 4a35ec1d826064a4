using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.OpenApi;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>Each simulated version serves what a default cluster of that release serves, plus the enabled APIs.</summary>
public sealed class ServedApisTests
{
    [TestCase("v1.34")]
    [TestCase("v1.35")]
    [TestCase("v1.36")]
    public void ADefaultClusterServesGaApisOnly(string version)
    {
        var catalog = new ResourceCatalog(version);
        Assert.Multiple(() =>
        {
            Assert.That(catalog.ByApiVersionKind("v1", "Pod"), Is.Not.Null);
            Assert.That(catalog.ByGroupPlural("resource.k8s.io", "resourceclaims")?.Version, Is.EqualTo("v1"));
            Assert.That(catalog.Find("resource.k8s.io", "v1beta1", "resourceclaims"), Is.Null, "beta APIs are off by default");
            Assert.That(catalog.Groups().Any(g => g.Versions.Any(v => v.Contains("alpha"))), Is.False);
        });
    }

    [Test]
    public void AnEnabledAlphaGroupVersionIsServed()
    {
        var v135 = new ResourceCatalog("v1.35", ["scheduling.k8s.io/v1alpha1"]);
        var v136 = new ResourceCatalog("v1.36", ["scheduling.k8s.io/v1alpha2"]);
        Assert.That(v135.ByApiVersionKind("scheduling.k8s.io/v1alpha1", "Workload")?.Namespaced, Is.True);
        Assert.That(v136.ByApiVersionKind("scheduling.k8s.io/v1alpha2", "PodGroup"), Is.Not.Null);
        Assert.That(v135.ByGroupPlural("scheduling.k8s.io", "priorityclasses")?.Version, Is.EqualTo("v1"));
    }

    [Test]
    public void AMissingManifestFileIsRefusedWithAHint()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => AiConformance.ClusterSim.Server.SimulatedApiServer.StartAsync(
            new AiConformance.ClusterSim.Server.SimulatedApiServerOptions { CrdManifestPaths = ["/no/such/crds.yaml"] }, CancellationToken.None));
        Assert.That(error!.Message, Does.StartWith("CRD manifest '/no/such/crds.yaml' does not exist").And.Contain("kueue-v0.19.2"));
    }

    [Test]
    public void AnUnsupportedVersionIsRefusedWithTheSupportedOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => SwaggerDocuments.Normalize("v1.29"));
        Assert.That(error!.Message, Does.Contain("v1.34, v1.35, v1.36"));
    }
}
