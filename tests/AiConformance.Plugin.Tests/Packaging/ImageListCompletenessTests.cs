using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using AiConformance.Plugin.Packaging.Images;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary>
/// <c>aiconformance images</c> can only list what the suite declares in <see cref="DefaultImages"/>; an image written
/// into a fixture directly would be pulled by a run yet missing from the mirroring list (and not movable with
/// <c>images.registry</c>). Every image reference among the Suite assembly's string literals must be a declared one.
/// </summary>
[TestFixture]
public sealed partial class ImageListCompletenessTests
{
    [Test]
    public void EveryImageTheSuiteNamesIsDeclaredAndListed()
    {
        var suite = typeof(DefaultImages).Assembly.Location;
        var literals = StringLiterals(suite).ToList();
        var declared = DefaultImages.All.Values.Concat(ImagesCommand.List(SuiteConfiguration.Empty)).ToHashSet();

        var images = literals.Where(s => ImageReference().IsMatch(s)).Distinct().ToList();

        Assert.That(literals, Has.Count.GreaterThan(100), "the literals were read");
        Assert.That(literals, Has.Some.StartsWith(DefaultImages.PluginRepository), "the scan finds the plugin image's repository");
        Assert.That(images.Where(i => !declared.Contains(i)), Is.Empty,
            "declare these in DefaultImages.All (key images.<role>) so that 'aiconformance images' lists them");
    }

    [TestCase("ghcr.io/ai-conformance/aiconformance:0.1.0", true)]
    [TestCase("nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0", true)]
    [TestCase("registry.k8s.io/gateway-api-inference-extension/epp:v1.0.0", true)]
    [TestCase("gang_scheduling", false)]
    [TestCase("https://github.com/cncf/k8s-conformance/tree/main/v1.35/x", false)]
    [TestCase("resource.k8s.io/v1", false)]
    public void ImageReferencesAreRecognised(string text, bool image) =>
        Assert.That(ImageReference().IsMatch(text), Is.EqualTo(image));

    /// <summary>The user-string heap: every string literal the assembly's code loads.</summary>
    private static IEnumerable<string> StringLiterals(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var literals = new List<string>();
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = reader.GetNextHandle(handle))
        {
            literals.Add(reader.GetUserString(handle));
        }
        return literals;
    }

    /// <summary>A registry-qualified image with a tag or digest, e.g. <c>ghcr.io/org/app:1.2</c>.</summary>
    [GeneratedRegex(@"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?/[a-z0-9._-]+(/[a-z0-9._-]+)*(:[\w][\w.-]*|@sha256:[0-9a-f]+)$")]
    private static partial Regex ImageReference();
}
