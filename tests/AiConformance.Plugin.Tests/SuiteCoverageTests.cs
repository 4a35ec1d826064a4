using System.Reflection;
using AiConformance.Checklist;
using AiConformance.Suite;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>
/// Every requirement of every embedded checklist version has a fixture in the Suite or is listed, with the reason, as
/// attestation-only (<see cref="AttestationOnly"/>): never both, never neither, and neither names an unknown id.
/// </summary>
public class SuiteCoverageTests
{
    /// <summary>The requirement ids the Suite's fixtures and tests declare, with the member that declares each.</summary>
    private static readonly IReadOnlyList<(string Member, string Id)> Declared = typeof(RunContext).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods().Cast<MemberInfo>().Prepend(type))
        .SelectMany(member => member.GetCustomAttributes<RequirementAttribute>(inherit: false).Select(a => (member.Name, a.Id)))
        .ToList();

    private static IEnumerable<TestCaseData> ChecklistVersions() =>
        ChecklistCatalog.Versions.Select(version => new TestCaseData(version.Version).SetArgDisplayNames(version.Version));

    [TestCaseSource(nameof(ChecklistVersions))]
    public void EveryRequirementHasAFixtureOrIsListedAsAttestationOnly(string version)
    {
        var withFixture = Declared.Select(d => d.Id).ToHashSet();
        var uncovered = ChecklistCatalog.Find(version)!.Requirements
            .Where(r => !withFixture.Contains(r.Id) && !AttestationOnly.Requirements.ContainsKey(r.Id))
            .Select(r => r.Id);
        Assert.That(uncovered, Is.Empty, "give these a fixture ([Requirement(\"id\")]) or list them in AttestationOnly with the reason");
    }

    [Test]
    public void NoFixtureNamesAnUnknownRequirement() =>
        Assert.That(Declared.Where(d => !ChecklistCatalog.AllRequirementIds.Contains(d.Id)).Select(d => $"{d.Member}: {d.Id}"), Is.Empty);

    [Test]
    public void AnAttestationOnlyRequirementHasNoFixtureAndIsKnown()
    {
        var withFixture = Declared.Select(d => d.Id).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(AttestationOnly.Requirements.Keys.Where(withFixture.Contains), Is.Empty,
                "these have a fixture now: remove them from AttestationOnly");
            Assert.That(AttestationOnly.Requirements.Keys.Where(id => !ChecklistCatalog.AllRequirementIds.Contains(id)), Is.Empty,
                "AttestationOnly names requirements no checklist knows");
            Assert.That(AttestationOnly.Requirements.Values, Has.All.Length.GreaterThan(40),
                "each entry says why there is no automated test and what a person attests instead");
        });
    }

    [Test]
    public void TheSuiteKnowsNothingOfTheSimulation()
    {
        var suite = typeof(RunContext).Assembly;
        Assert.Multiple(() =>
        {
            Assert.That(suite.GetReferencedAssemblies().Select(a => a.Name), Has.None.StartsWith("AiConformance.ClusterSim").And.None.EqualTo("aiconformance"));
            Assert.That(suite.GetTypes().SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Cast<MemberInfo>().Prepend(t))
                .Select(m => m.Name).Where(n => n.Contains("Simulat", StringComparison.OrdinalIgnoreCase)), Is.Empty);
        });
    }
}
