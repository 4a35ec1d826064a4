using AiConformance.Checklist;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Binds a fixture (or a single test) to a checklist requirement: adds NUnit categories for the id and the section,
/// and the properties <see cref="RequirementProperty"/> and <see cref="SectionProperty"/>. The level is not fixed here:
/// it comes from the catalog of the checklist version being run, because it changes between versions.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RequirementAttribute(string id) : NUnitAttribute, IApplyToTest
{
    public const string RequirementProperty = "Requirement";
    public const string SectionProperty = "Section";

    public string Id { get; } = id;

    public void ApplyToTest(Test test)
    {
        var section = ChecklistCatalog.SectionOf(Id);
        if (section is null)
        {
            test.RunState = RunState.NotRunnable;
            test.Properties.Set(PropertyNames.SkipReason, $"[Requirement(\"{Id}\")] names no requirement of any embedded checklist");
            return;
        }
        test.Properties.Set(RequirementProperty, Id);
        test.Properties.Set(SectionProperty, section);
        test.Properties.Add(PropertyNames.Category, Id);
        test.Properties.Add(PropertyNames.Category, section);
    }
}
