namespace AiConformance.ClusterSim.Api;

/// <summary>
/// Per-request fault decisions for watches, taken from the fault injector: a drop after some events, and how long
/// each event is held back (null: sent at once).
/// </summary>
public sealed record WatchLimits(int? DropAfterEvents, TimeSpan BookmarkInterval)
{
    public Func<TimeSpan>? EventDelay { get; init; }
}
