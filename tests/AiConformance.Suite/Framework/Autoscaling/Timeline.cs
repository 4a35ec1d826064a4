using System.Diagnostics;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>States seen over time, one line per change (<c>t+1.5s ...</c>), for the evidence and for failure messages.</summary>
public sealed class Timeline
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> lines = [];
    private string last = "";

    public IReadOnlyList<string> Lines => lines;

    /// <summary>Notes <paramref name="state"/> when it differs from the last one noted.</summary>
    public void Note(string state)
    {
        if (state == last) return;
        last = state;
        lines.Add($"t+{clock.Elapsed.TotalSeconds:0.0}s {state}");
    }

    public string Describe() => string.Join("; ", lines);
}
