using AiConformance.Checklist;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class CatalogTests
{
    [Test]
    public void AllFiveVersionsLoad() =>
        Assert.That(ChecklistCatalog.Versions.Select(v => v.Version), Is.EqualTo(new[] { "v1.33", "v1.34", "v1.35", "v1.36", "v1.37" }));
}
