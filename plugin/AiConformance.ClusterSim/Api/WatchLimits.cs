namespace AiConformance.ClusterSim.Api;

/// <summary>Per-request fault decisions for watches, taken from the fault injector.</summary>
public sealed record WatchLimits(int? DropAfterEvents, TimeSpan BookmarkInterval);
