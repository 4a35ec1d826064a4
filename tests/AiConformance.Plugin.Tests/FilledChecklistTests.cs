using AiConformance.Checklist;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Tests;

public class FilledChecklistTests
{
    // Named by version string: a ChecklistVersion's own text would make unreadable test names.
    private static IEnumerable<string> Versions => ChecklistCatalog.Versions.Select(v => v.Version);

    [TestCaseSource(nameof(Versions))]
    public void FilledChecklistParsesBackToTheTemplatePlusTheFilledFields(string version)
    {
        var template = ChecklistCatalog.Find(version)!;
        var statuses = new[] { "Implemented", "Partially Implemented", "Not Implemented", "N/A", "" };
        var fillings = template.Requirements.Select((r, i) => (r.Id, Filling: new RequirementFilling(
                statuses[i % statuses.Length],
                i % 2 == 0 ? [$"evidence/{r.Id}.md", $"junit.xml#{TestNames.ForRequirement(r.Id)}"] : [],
                $"note for {r.Id}: \"quoted\", colon: yes, # not a comment\nsecond line")))
            .ToDictionary(x => x.Id, x => x.Filling);
        var metadata = new Dictionary<string, string> { ["vendorName"] = "Acme: \"Clouds\"", ["platformVersion"] = "1.2.3" };

        var filled = FilledChecklist.Render(template, metadata, fillings, ["a header line"]);

        var reparsed = ChecklistCatalog.Parse(filled);
        Assert.That(reparsed.Requirements, Is.EqualTo(template.Requirements), "ids, sections, descriptions and levels");
        Assert.That(reparsed.Version, Is.EqualTo(template.Version));
        var document = Load(filled);
        var items = Items(document).ToDictionary(i => Scalar(i, "id"));
        Assert.Multiple(() =>
        {
            foreach (var (id, filling) in fillings)
            {
                Assert.That(Scalar(items[id], "status"), Is.EqualTo(filling.Status), id);
                Assert.That(Scalar(items[id], "notes"), Is.EqualTo(filling.Notes), id);
                Assert.That(((YamlSequenceNode)items[id].Children[new YamlScalarNode("evidence")]).Children.Cast<YamlScalarNode>().Select(s => s.Value),
                    Is.EqualTo(filling.Evidence), id);
            }
            var meta = (YamlMappingNode)document.Children[new YamlScalarNode("metadata")];
            Assert.That(Scalar(meta, "vendorName"), Is.EqualTo("Acme: \"Clouds\""));
            Assert.That(Scalar(meta, "platformVersion"), Is.EqualTo("1.2.3"));
            Assert.That(Scalar(meta, "platformName"), Is.EqualTo("[Platform Name]"), "placeholders stay where nothing was given");
            Assert.That(Scalar(meta, "kubernetesVersion"), Is.EqualTo(template.Version));
            Assert.That(filled, Does.StartWith("# a header line\n"));
        });
    }

    [Test]
    public void MissingMetadataListsThePlaceholdersLeft()
    {
        var template = ChecklistCatalog.Find("v1.35")!;
        var missing = FilledChecklist.MissingMetadata(template, new Dictionary<string, string> { ["vendorName"] = "Acme" });
        Assert.That(missing, Does.Contain("platformName").And.Contain("k8sConformanceUrl").And.Not.Contain("vendorName").And.Not.Contain("kubernetesVersion"));
    }

    [Test]
    public void RequirementsWithoutFillingKeepTheTemplateLines()
    {
        var template = ChecklistCatalog.Find("v1.37")!;
        var filled = FilledChecklist.Render(template, new Dictionary<string, string>(), new Dictionary<string, RequirementFilling>(), []);
        Assert.That(filled, Is.EqualTo(template.TemplateText.TrimEnd('\n') + "\n"));
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Items(YamlMappingNode document) =>
        ((YamlMappingNode)document.Children[new YamlScalarNode("spec")]).Children.Values
            .SelectMany(section => ((YamlSequenceNode)section).Children.Cast<YamlMappingNode>());

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value ?? "";
}
