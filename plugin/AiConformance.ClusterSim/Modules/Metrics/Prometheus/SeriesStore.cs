namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>One sample of a scrape, with every label Prometheus stores it under (<c>__name__</c> included).</summary>
public sealed record ScrapedSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Key => string.Join(",", Labels.OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => $"{label.Key}={label.Value}"));
}

/// <summary>A value of a series at a time (seconds since the epoch); a stale marker has <see cref="Stale"/> set.</summary>
public readonly record struct Point(double Time, double Value, bool Stale = false);

/// <summary>A series: its labels and its points, oldest first.</summary>
public sealed record Series(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<Point> Points);

/// <summary>
/// Prometheus's storage, in memory: points per series for the retention, and the staleness handling of its scrape loop
/// (a series a target stops exposing, or every series of a target that goes away, gets a stale marker, so instant
/// queries stop returning it at once instead of after the five-minute lookback).
/// </summary>
public sealed class SeriesStore(TimeSpan retention)
{
    private readonly Dictionary<string, (IReadOnlyDictionary<string, string> Labels, List<Point> Points)> series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> lastScrapeOf = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Stores one scrape of <paramref name="target"/>; series it exposed last time and not now are marked stale.</summary>
    public void Append(string target, double time, IReadOnlyList<ScrapedSample> samples)
    {
        lock (gate)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var sample in samples)
            {
                var key = sample.Key;
                if (!keys.Add(key)) continue;
                if (!series.TryGetValue(key, out var entry)) series[key] = entry = (sample.Labels, []);
                entry.Points.Add(new Point(time, sample.Value));
            }
            if (lastScrapeOf.TryGetValue(target, out var before))
                foreach (var gone in before.Where(key => !keys.Contains(key))) MarkStale(gone, time);
            lastScrapeOf[target] = keys;
            Trim(time);
        }
    }

    /// <summary>A target that disappeared from discovery: all its series are stale.</summary>
    public void Forget(string target, double time)
    {
        lock (gate)
        {
            if (!lastScrapeOf.Remove(target, out var keys)) return;
            foreach (var key in keys) MarkStale(key, time);
        }
    }

    public IReadOnlyCollection<string> Targets
    {
        get
        {
            lock (gate) return [.. lastScrapeOf.Keys];
        }
    }

    /// <summary>A copy of the series whose labels satisfy <paramref name="matches"/>.</summary>
    public IReadOnlyList<Series> Select(Func<IReadOnlyDictionary<string, string>, bool> matches)
    {
        lock (gate)
            return [.. series.Values.Where(entry => matches(entry.Labels)).Select(entry => new Series(entry.Labels, [.. entry.Points]))];
    }

    private void MarkStale(string key, double time)
    {
        if (series.TryGetValue(key, out var entry) && entry.Points is [.., { Stale: false }]) entry.Points.Add(new Point(time, double.NaN, Stale: true));
    }

    private void Trim(double now)
    {
        var oldest = now - retention.TotalSeconds;
        foreach (var (key, entry) in series.ToList())
        {
            entry.Points.RemoveAll(point => point.Time < oldest);
            if (entry.Points.Count == 0) series.Remove(key);
        }
    }
}
