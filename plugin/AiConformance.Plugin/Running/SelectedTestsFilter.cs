using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AiConformance.Plugin.Running;

/// <summary>
/// Selects test cases by NUnit id. NUnit passes a fixture when any descendant matches, and runs an explicit test when
/// the filter names it, so the selection alone decides what runs.
/// </summary>
internal sealed class SelectedTestsFilter(IReadOnlySet<string> testIds) : TestFilter
{
    public override bool Match(ITest test) => testIds.Contains(test.Id);

    public override TNode AddToXml(TNode parentNode, bool recursive) =>
        parentNode.AddElement("id", string.Join(",", testIds.Order(StringComparer.Ordinal)));
}
