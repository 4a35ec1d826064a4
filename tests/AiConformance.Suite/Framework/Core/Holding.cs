using System.Globalization;

namespace AiConformance.Suite.Framework;

/// <summary>What a test may hold exclusively, beyond its own namespace (which every test has to itself).</summary>
public enum Hold
{
    /// <summary>
    /// Some accelerators, at most <see cref="HoldsAttribute.Units"/> at once, leaving the rest to others: tests holding
    /// shares run side by side while their units together fit the cluster's accelerators.
    /// </summary>
    AcceleratorShare,

    /// <summary>
    /// Every accelerator, of every kind: the test fills a node, needs a unit on every node, or observes devices that
    /// must all be free. No other test holding accelerators runs beside it.
    /// </summary>
    AllAccelerators,

    /// <summary>Whole nodes (drained, cordoned, filled, scaled): nothing else runs beside the test.</summary>
    WholeNodes,

    /// <summary>
    /// A cluster-wide resource named by <see cref="HoldsAttribute"/>'s second argument (queue quotas, autoscaler
    /// pools, admission webhooks, GatewayClasses...): no other test holding the same name runs beside it.
    /// </summary>
    ClusterResource,
}

/// <summary>
/// One declared holding of a test, as written into the test's NUnit properties (<see cref="Property"/>) and read back
/// by the runner, which starts tests side by side only when their holdings do not conflict.
/// </summary>
public sealed record Holding(Hold What, int Units = 1, string? Resource = null)
{
    /// <summary>The NUnit property that carries a test's holdings, one value per holding.</summary>
    public const string Property = "Holds";

    public bool HoldsAccelerators => What is Hold.AcceleratorShare or Hold.AllAccelerators;

    /// <summary>Whether this holding and <paramref name="other"/> cannot be held by two tests at once.</summary>
    public bool ConflictsWith(Holding other) => (What, other.What) switch
    {
        (Hold.WholeNodes, _) or (_, Hold.WholeNodes) => true,
        (Hold.AllAccelerators, _) => other.HoldsAccelerators,
        (_, Hold.AllAccelerators) => HoldsAccelerators,
        (Hold.ClusterResource, Hold.ClusterResource) => string.Equals(Resource, other.Resource, StringComparison.OrdinalIgnoreCase),
        // Shares of accelerators conflict only through their count, which the runner adds up.
        _ => false,
    };

    public override string ToString() => What switch
    {
        Hold.AcceleratorShare => $"accelerators:{Units.ToString(CultureInfo.InvariantCulture)}",
        Hold.AllAccelerators => "accelerators:all",
        Hold.WholeNodes => "nodes:all",
        _ => $"cluster:{Resource}",
    };

    /// <summary>Reads back what <see cref="ToString"/> wrote.</summary>
    public static Holding Parse(string text)
    {
        var (kind, value) = text.IndexOf(':') is var colon and > 0 ? (text[..colon], text[(colon + 1)..]) : (text, "");
        return (kind, value) switch
        {
            ("accelerators", "all") => new Holding(Hold.AllAccelerators),
            ("accelerators", _) when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var units) && units > 0 =>
                new Holding(Hold.AcceleratorShare, units),
            ("nodes", "all") => new Holding(Hold.WholeNodes),
            ("cluster", { Length: > 0 }) => new Holding(Hold.ClusterResource, Resource: value),
            _ => throw new FormatException($"'{text}' is not a holding (accelerators:N, accelerators:all, nodes:all or cluster:NAME)"),
        };
    }
}
