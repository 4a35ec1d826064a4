using AiConformance.Checklist;
using NUnit.Framework;
using YamlDotNet.Serialization;

namespace AiConformance.Plugin.Tests;

public class CatalogTests
{
    // Named by version string: a ChecklistVersion's own text would make unreadable test names.
    private static IEnumerable<string> Versions => ChecklistCatalog.Versions.Select(v => v.Version);

    [Test]
    public void AllFiveVersionsLoad() =>
        Assert.That(ChecklistCatalog.Versions.Select(v => v.Version), Is.EqualTo(new[] { "v1.33", "v1.34", "v1.35", "v1.36", "v1.37" }));

    [TestCaseSource(nameof(Versions))]
    public void ModelEqualsTheTemplateReadIndependently(string name)
    {
        var version = ChecklistCatalog.Find(name)!;
        // A second reading of the template with YamlDotNet's plain deserializer, in template order.
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(version.TemplateText);
        var spec = (Dictionary<object, object>)document["spec"];
        var expected = spec.SelectMany(section => ((List<object>)section.Value).Cast<Dictionary<object, object>>()
            .Select(item => (Id: (string)item["id"], Section: (string)section.Key, Description: (string)item["description"], Level: (string)item["level"])))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(version.Requirements.Select(r => (r.Id, r.Section, r.Description, r.LevelText)), Is.EqualTo(expected));
            Assert.That(version.Sections, Is.EqualTo(spec.Keys.Cast<string>()));
            Assert.That(version.FileName, Is.EqualTo($"AIConformance-1.{version.Minor}.yaml"));
            Assert.That(((Dictionary<object, object>)document["metadata"])["kubernetesVersion"], Is.EqualTo(version.Version));
        });
    }

    [TestCaseSource(nameof(Versions))]
    public void EmbeddedTemplateIsTheOfficialOne(string name)
    {
        var version = ChecklistCatalog.Find(name)!;
        var official = OfficialTemplate(version);
        Assume.That(official, Is.Not.Null, "the reference templates are not beside this checkout");
        Assert.That(version.TemplateText, Is.EqualTo(File.ReadAllText(official!)));
    }

    [Test]
    public void LevelsChangeBetweenVersions()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ChecklistCatalog.Find("v1.33")!.Find("dra_support")!.Level, Is.EqualTo(RequirementLevel.Should));
            Assert.That(ChecklistCatalog.Find("1.34")!.Find("dra_support")!.Level, Is.EqualTo(RequirementLevel.Must));
            Assert.That(ChecklistCatalog.Find("v1.36")!.Find("dra_support"), Is.Null);
        });
    }

    [TestCase("secure_accelerator_access", "TestSecureAcceleratorAccess")]
    [TestCase("gang_scheduling", "TestGangScheduling")]
    [TestCase("cluster_autoscaling", "TestAcceleratorClusterAutoscaling")]
    [TestCase("pod_autoscaling", "TestPodAutoscaling")]
    [TestCase("ai_service_metrics", "TestAiServiceMetrics")]
    public void TestNamesFollowTheUpstreamConvention(string id, string expected)
    {
        Assert.That(TestNames.ForRequirement(id), Is.EqualTo(expected));
        Assert.That(TestNames.ForTest(id, "Works"), Is.EqualTo(expected + "/Works"));
    }

    [Test]
    public void EveryRequirementOfEveryVersionHasAStandaloneTestName()
    {
        var names = ChecklistCatalog.AllRequirementIds.Select(TestNames.ForRequirement).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.All.Match("^Test[A-Z][A-Za-z0-9]*$"));
    }

    private static string? OfficialTemplate(ChecklistVersion version)
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "reference", "ai-conformance", version.Version, version.FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
