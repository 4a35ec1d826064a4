using AiConformance.Plugin.Running;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>The conformance suite's tests have JUnit names that stand alone (SuiteCoverageTests: they bind to real requirements).</summary>
public class SuiteBindingTests
{
    [Test]
    public void SuiteTestNamesAreUniqueAndFreeOfSpaces()
    {
        var names = SuiteAssembly.Load(null).Tests.Select(t => t.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.None.Contains(" "));
    }
}
