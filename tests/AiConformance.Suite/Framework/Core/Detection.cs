using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>Something a detector can find: a backend, a strategy, a class of devices. Its name goes into test names.</summary>
public interface IDetected
{
    /// <summary>Short PascalCase name without spaces, e.g. <c>Kueue</c>, <c>MigThroughDra</c>.</summary>
    string Name { get; }

    /// <summary>One line for the evidence: what was found and where.</summary>
    string Summary { get; }
}

/// <summary>What one detector found of a capability, and everything it looked for (so "none" can say where it looked).</summary>
public sealed record Detection<T>(IReadOnlyList<T> Found, IReadOnlyList<string> LookedFor) where T : IDetected
{
    public string Searched => string.Join("; ", LookedFor);
}

/// <summary>
/// Test cases generated from what the cluster has: one per backend a detector finds, named <c>Backend/Behaviour</c>
/// (so <c>TestGangScheduling/Kueue/...</c> and <c>TestGangScheduling/Volcano/...</c> pass or fail on their own), or,
/// when it finds none or cannot look, one case named after the behaviour alone that receives no backend and reports
/// what was looked for. Detection runs when the Suite is loaded (the run's context is set by then) and once per run.
/// </summary>
public sealed class DetectedCases<T>(Func<RunContext, Task<Detection<T>>> detect) where T : class, IDetected
{
    private readonly Lock gate = new();
    private (string RunId, Detection<T>? Detection, string? Error)? last;

    /// <summary>The detection of the current run: what was found, or the reason nothing could be looked for.</summary>
    public (Detection<T>? Detection, string? Error) Of(RunContext run)
    {
        lock (gate)
        {
            if (last is { } cached && cached.RunId == run.RunId) return (cached.Detection, cached.Error);
            try
            {
                var detection = detect(run).GetAwaiter().GetResult();
                last = (run.RunId, detection, null);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                last = (run.RunId, null, $"{error.GetType().Name}: {error.Message}");
            }
            return (last.Value.Detection, last.Value.Error);
        }
    }

    /// <summary>For <c>[TestCaseSource]</c>: one case per backend found, or one case without a backend.</summary>
    public IEnumerable<TestCaseData> Cases()
    {
        var (detection, _) = Of(RunContext.Current);
        if (detection is null || detection.Found.Count == 0)
        {
            yield return new TestCaseData(new object?[] { null }).SetName("{m}");
            yield break;
        }
        foreach (var found in detection.Found)
            yield return new TestCaseData(found).SetName($"{found.Name}/{{m}}");
    }

    /// <summary>
    /// The backend a case was given, with what was looked for and what was found in the evidence. A case without one
    /// ends in <paramref name="whenNone"/>, given what was looked for (needs attestation, N/A or a failure, as the
    /// requirement says); one whose detection failed ends as a failure saying why.
    /// </summary>
    public T Require(T? found, string capability, Action<string> whenNone)
    {
        var (detection, error) = Of(RunContext.Current);
        if (error is not null)
            Assert.Fail($"could not look for {capability}: {error}");
        Evidence.Observed($"{capability}: looked for", detection!.Searched);
        if (found is null)
        {
            whenNone(detection.Searched);
            throw new AssertionException($"no {capability} found (looked for: {detection.Searched})");
        }
        Evidence.Observed(capability, found.Summary);
        return found;
    }
}
