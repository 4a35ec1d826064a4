using AiConformance.Checklist;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class ChecklistSelectionTests
{
    [TestCase("v1.33.0", "v1.33")]
    [TestCase("v1.35.2-gke.1100", "v1.35")]
    [TestCase("1.36", "v1.36")]
    [TestCase("v1.37.0+k3s1", "v1.37")]
    public void ServerVersionPicksTheChecklistOfTheSameMinor(string server, string expected)
    {
        var choice = ChecklistSelection.ForServerVersion(server);
        Assert.That(choice.Checklist.Version, Is.EqualTo(expected));
        Assert.That(choice.Warning, Is.Null);
    }

    [Test]
    public void NewerClusterGetsTheNewestChecklistWithAWarning()
    {
        var choice = ChecklistSelection.ForServerVersion("v1.40.1");
        Assert.That(choice.Checklist, Is.SameAs(ChecklistCatalog.Newest));
        Assert.That(choice.Warning, Does.Contain("1.40").And.Contain(ChecklistCatalog.Newest.Version));
    }

    [TestCase("v1.32.4", "older than the oldest")]
    [TestCase("v99+static.testing", "--checklist")]
    [TestCase("v2.1.0", "--checklist")]
    [TestCase("", "--checklist")]
    public void UnusableServerVersionIsAClearError(string server, string expected) =>
        Assert.That(() => ChecklistSelection.ForServerVersion(server),
            Throws.TypeOf<ChecklistSelectionException>().With.Message.Contains(expected));

    [Test]
    public void NamedVersionAcceptsBothSpellings()
    {
        Assert.That(ChecklistSelection.Named("v1.34").Version, Is.EqualTo("v1.34"));
        Assert.That(ChecklistSelection.Named("1.34").Version, Is.EqualTo("v1.34"));
    }

    [Test]
    public void UnknownNamedVersionListsTheEmbeddedOnes() =>
        Assert.That(() => ChecklistSelection.Named("v1.20"),
            Throws.TypeOf<ChecklistSelectionException>().With.Message.Contains("v1.33, v1.34, v1.35, v1.36, v1.37"));
}
