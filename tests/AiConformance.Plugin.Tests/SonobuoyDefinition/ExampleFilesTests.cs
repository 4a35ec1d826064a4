using AiConformance.Plugin.Packaging.Images;
using AiConformance.Plugin.Packaging.Submission;
using AiConformance.Plugin.Tests.Support;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.SonobuoyDefinition;

/// <summary>The examples under sonobuoy/examples/ work as their comments say.</summary>
[TestFixture]
public sealed class ExampleFilesTests
{
    private static string PathOf(string name) => Path.Combine(RepositoryFiles.Root, "sonobuoy", "examples", name);

    [Test]
    public void TheAirGappedConfigurationMovesEveryImageToTheMirror()
    {
        var configuration = new SuiteConfiguration(SuiteConfiguration.ParseYaml(File.ReadAllText(PathOf("air-gapped.yaml")), "air-gapped.yaml"));

        Assert.That(ImagesCommand.List(configuration), Is.All.StartsWith("registry.corp.internal/mirror/"));
        Assert.That(DefaultImages.PullSecrets(configuration), Is.EqualTo(new[] { "mirror-pull" }));
    }

    [Test]
    public void TheSubmissionMetadataExampleFillsEveryRequiredField()
    {
        var metadata = SubmissionMetadata.Load(PathOf("submission-metadata.yaml"));

        Assert.That(metadata.Keys, Is.SupersetOf(AiSubmissionValidator.RequiredMetadata.Where(k => k != "kubernetesVersion")));
        Assert.That(metadata["platformVersion"], Is.EqualTo("1.7.4"));
        Assert.That(metadata["productType"], Is.EqualTo("distribution"));
    }
}
