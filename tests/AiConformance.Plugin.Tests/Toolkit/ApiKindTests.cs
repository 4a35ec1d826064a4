using AiConformance.Suite.Framework;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class ApiKindTests
{
    [Test]
    public void KindsAreAddressedAsTheApiServesThem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ApiKind.Of<V1Pod>(), Is.EqualTo(new ApiKind("", "v1", "pods", "Pod")));
            Assert.That(ApiKind.Of<V1ResourceClaimTemplate>(), Is.EqualTo(new ApiKind("resource.k8s.io", "v1", "resourceclaimtemplates", "ResourceClaimTemplate")));
            // The model leaves its plural empty.
            Assert.That(ApiKind.Of<Resourcev1ResourceClaim>(), Is.EqualTo(new ApiKind("resource.k8s.io", "v1", "resourceclaims", "ResourceClaim")));
            Assert.That(ApiKind.Of<V1PriorityClass>().ApiVersion, Is.EqualTo("scheduling.k8s.io/v1"));
        });
    }
}
