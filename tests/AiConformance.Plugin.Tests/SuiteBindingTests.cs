using System.Reflection;
using AiConformance.Checklist;
using AiConformance.Plugin.Running;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>The conformance suite's fixtures bind to real requirements and give JUnit names that stand alone.</summary>
public class SuiteBindingTests
{
    [Test]
    public void EveryRequirementAttributeNamesARequirementOfSomeChecklist()
    {
        var suite = typeof(RunContext).Assembly;
        var named = suite.GetTypes()
            .SelectMany(t => t.GetMethods().Cast<MemberInfo>().Prepend(t))
            .SelectMany(m => m.GetCustomAttributes<RequirementAttribute>(inherit: false).Select(a => (Member: m, a.Id)))
            .ToList();
        Assert.That(named.Where(n => !ChecklistCatalog.AllRequirementIds.Contains(n.Id)).Select(n => $"{n.Member.Name}: {n.Id}"), Is.Empty);
    }

    [Test]
    public void SuiteTestNamesAreUniqueAndFreeOfSpaces()
    {
        var names = SuiteAssembly.Load(null).Tests.Select(t => t.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.None.Contains(" "));
    }
}
