using AiConformance.Suite.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AiConformance.Plugin.Running;

/// <summary>
/// What one test holds beyond its namespace: the <see cref="HoldsAttribute"/> declarations on it and on its fixture.
/// A test that holds whole nodes, or that its author marked <c>[NonParallelizable]</c>, runs alone. <see cref="Order"/> is the test's place in
/// the suite, which decides between waiting tests that conflict.
/// </summary>
internal sealed record TestHoldings(string Id, int Order, IReadOnlyList<Holding> Holdings, bool Everything = false)
{
    /// <summary>Accelerator units held as shares (0 when the test holds none or holds them all).</summary>
    public int ShareUnits => Holdings.Where(h => h.What == Hold.AcceleratorShare).Sum(h => h.Units);

    /// <summary>Whether nothing may run beside this test, not even a test that holds only its namespace.</summary>
    public bool Alone => Everything || Holdings.Any(h => h.What == Hold.WholeNodes);

    /// <summary>Whether this test starts before <paramref name="other"/> when both wait: one that must run alone first, then the suite's order.</summary>
    public bool GoesBefore(TestHoldings other) => Alone != other.Alone ? Alone : Order < other.Order;

    public bool ConflictsWith(TestHoldings other) =>
        Alone || other.Alone || Holdings.Any(mine => other.Holdings.Any(mine.ConflictsWith));

    public string Describe() => Everything ? "everything ([NonParallelizable])"
        : Holdings.Count == 0 ? "its namespace" : string.Join(", ", Holdings);

    public static TestHoldings Of(ITest test, int order)
    {
        var holdings = new List<Holding>();
        var everything = false;
        for (var level = test; level is not null; level = level.Parent)
        {
            holdings.AddRange(level.Properties[Holding.Property].OfType<string>().Select(Holding.Parse));
            everything |= level.Properties.Get(PropertyNames.ParallelScope) is NUnit.Framework.ParallelScope scope
                          && scope.HasFlag(NUnit.Framework.ParallelScope.None);
        }
        return new TestHoldings(test.Id, order, holdings, everything);
    }
}
