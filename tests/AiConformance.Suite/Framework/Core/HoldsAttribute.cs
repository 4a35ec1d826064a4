using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Declares what a fixture's tests (or one test) hold beyond their own namespace, so that the runner can start tests
/// side by side without one disturbing another's observation. A test without any holds only its namespace and runs
/// beside anything. Repeatable: a test may hold accelerators and a cluster-wide resource.
/// <code>
/// [Holds(Hold.AcceleratorShare, Units = 2)]          // two devices at most, the rest stay free for others
/// [Holds(Hold.AllAccelerators)]                       // fills a node or needs every device free
/// [Holds(Hold.ClusterResource, "autoscaler-pools")]   // a cluster-wide resource, by name
/// </code>
/// A holding on a method adds to its fixture's.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class HoldsAttribute(Hold what, string? resource = null) : NUnitAttribute, IApplyToTest
{
    public Hold What { get; } = what;

    public string? Resource { get; } = resource;

    /// <summary>For <see cref="Hold.AcceleratorShare"/>: the most accelerator units the test holds at once.</summary>
    public int Units { get; set; } = 1;

    public void ApplyToTest(Test test)
    {
        if (Problem() is { } problem)
        {
            test.RunState = RunState.NotRunnable;
            test.Properties.Set(PropertyNames.SkipReason, problem);
            return;
        }
        test.Properties.Add(Holding.Property, new Holding(What, Units, Resource).ToString());
    }

    private string? Problem() => What switch
    {
        Hold.ClusterResource when string.IsNullOrWhiteSpace(Resource) || Resource.Contains(':') =>
            "[Holds(Hold.ClusterResource, name)] needs the name of the resource (without ':')",
        Hold.AcceleratorShare when Units < 1 => $"[Holds(Hold.AcceleratorShare)] holds at least one unit, not {Units}",
        not Hold.ClusterResource when Resource is not null => $"[Holds(Hold.{What})] takes no resource name",
        _ => null,
    };
}
