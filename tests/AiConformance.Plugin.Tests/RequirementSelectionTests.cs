using AiConformance.Checklist;
using AiConformance.Plugin.Running;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class RequirementSelectionTests
{
    private static readonly ChecklistVersion V135 = ChecklistCatalog.Find("v1.35")!;

    private static IEnumerable<string> Select(string[]? levels = null, string[]? sections = null, string[]? ids = null, string[]? skips = null) =>
        RequirementSelection.Select(V135, levels ?? [], sections ?? [], ids ?? [], skips ?? []).Select(r => r.Id);

    [Test]
    public void NoFilterSelectsEveryRequirementInTemplateOrder() =>
        Assert.That(Select(), Is.EqualTo(V135.Requirements.Select(r => r.Id)));

    [Test]
    public void LevelFilterUsesTheLevelOfTheVersionRun()
    {
        Assert.That(Select(levels: ["SHOULD"]), Is.EquivalentTo(new[] { "driver_runtime_management", "gpu_sharing", "virtualized_accelerator" }));
        Assert.That(Select(levels: ["must"]), Does.Contain("dra_support").And.Not.Contain("gpu_sharing"));
        var v133 = RequirementSelection.Select(ChecklistCatalog.Find("v1.33")!, ["SHOULD"], [], [], []).Select(r => r.Id);
        Assert.That(v133, Is.EqualTo(new[] { "dra_support" }));
    }

    [Test]
    public void SectionRequirementAndSkipFiltersCombine()
    {
        Assert.That(Select(sections: ["accelerators"], skips: ["gpu_sharing"]),
            Is.EqualTo(new[] { "dra_support", "driver_runtime_management", "virtualized_accelerator" }));
        Assert.That(Select(ids: ["gang_scheduling", "dra_support"]), Is.EqualTo(new[] { "dra_support", "gang_scheduling" }));
        Assert.That(Select(levels: ["SHOULD"], ids: ["dra_support"]), Is.Empty);
    }

    [TestCase("level", "MAYBE", "MUST or SHOULD")]
    [TestCase("section", "storage", "accelerators")]
    [TestCase("id", "workload_sandboxing", "it is in v1.37")]
    [TestCase("id", "no_such", "aiconformance list")]
    [TestCase("skip", "no_such", "aiconformance list")]
    public void UnknownNamesAreUsageErrors(string kind, string value, string hint)
    {
        TestDelegate select = kind switch
        {
            "level" => () => Select(levels: [value]).ToList(),
            "section" => () => Select(sections: [value]).ToList(),
            "id" => () => Select(ids: [value]).ToList(),
            _ => () => Select(skips: [value]).ToList(),
        };
        var error = Assert.Throws<RunSetupException>(select)!;
        Assert.That(error.ExitCode, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error.Message, Does.Contain(value).And.Contain(hint));
    }
}
