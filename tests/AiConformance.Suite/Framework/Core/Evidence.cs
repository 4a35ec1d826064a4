using System.Globalization;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The evidence recorder: what a test did and saw, as markdown lines on the test's own output. The runner takes that
/// output as the test's JUnit <c>system-out</c> and as its part of <c>evidence/&lt;requirement&gt;.md</c>; under
/// <c>dotnet test</c> it shows as the test's output.
/// </summary>
public static class Evidence
{
    /// <summary>Marker of the accelerator-seconds line, which the runner adds up per requirement.</summary>
    public const string AcceleratorSecondsMarker = "- accelerator-seconds held: ";

    /// <summary>A step of the test plan, e.g. "Create a ResourceClaim for one device".</summary>
    public static void Step(string text) => Write($"- {text}");

    /// <summary>An object the test created.</summary>
    public static void Created(string kind, string? @namespace, string name) =>
        Write(@namespace is null ? $"- created {kind} `{name}`" : $"- created {kind} `{@namespace}/{name}`");

    /// <summary>A value the test observed on the cluster.</summary>
    public static void Observed(string label, object? value) => Write($"- observed {label}: `{value}`");

    /// <summary>A block of text (a manifest, a log excerpt, a command's output).</summary>
    public static void Block(string title, string text, string language = "")
    {
        Write($"- {title}:");
        Write($"```{language}");
        Write(text.TrimEnd());
        Write("```");
    }

    /// <summary>
    /// Streams (watches, lists, log reads) that broke during <paramref name="activity"/> and were read again within
    /// the same deadline, with why each broke.
    /// </summary>
    public static void StreamsResumed(string activity, IReadOnlyCollection<string> causes) =>
        Write($"- resumed {causes.Count} dropped stream{(causes.Count == 1 ? "" : "s")} while {activity}: " +
              string.Join("; ", causes.GroupBy(cause => cause).Select(same => same.Count() == 1 ? same.Key : $"{same.Key} (x{same.Count()})")));

    /// <summary>Accelerator time held by the test (devices multiplied by seconds).</summary>
    public static void AcceleratorSeconds(double seconds) =>
        Write(AcceleratorSecondsMarker + seconds.ToString("0.0", CultureInfo.InvariantCulture));

    private static void Write(string line) => TestContext.Out.WriteLine(line);
}
