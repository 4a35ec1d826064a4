using System.Collections.Concurrent;

namespace AiConformance.ClusterSim.Server;

/// <summary>Counts of API requests by verb and of watches opened, for the benchmark.</summary>
public sealed class RequestStatistics
{
    private readonly ConcurrentDictionary<string, long> _byVerb = new(StringComparer.Ordinal);
    private long _watches;

    public IReadOnlyDictionary<string, long> ByVerb => new SortedDictionary<string, long>(_byVerb, StringComparer.Ordinal);

    public long Watches => Interlocked.Read(ref _watches);

    public long Total => _byVerb.Values.Sum();

    internal void Count(string verb)
    {
        _byVerb.AddOrUpdate(verb, 1, (_, n) => n + 1);
        if (verb == "watch") Interlocked.Increment(ref _watches);
    }
}
