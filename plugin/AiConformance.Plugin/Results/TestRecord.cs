namespace AiConformance.Plugin.Results;

/// <summary>
/// What a test ended as. Failed: an assertion did not hold (NUnit's Failure). Error: the test crashed, could not run,
/// or was interrupted. NotApplicable: only through the suite's explicit not-applicable outcome, with its reason.
/// NeedsAttestation: the suite cannot decide; also every other NUnit result that is neither pass nor fail (ignored,
/// explicit, skipped, inconclusive, warning), so that none of them can count as a pass or an N/A by accident.
/// </summary>
public enum TestOutcome { Passed, Failed, Error, NotApplicable, NeedsAttestation }

/// <summary>One test of the run: its JUnit name (<c>TestX/Behaviour</c>), outcome, message and evidence transcript.</summary>
public sealed record TestRecord(string Name, string RequirementId, TestOutcome Outcome, string Message)
{
    /// <summary>When the test began to run (after waiting for its holdings, when tests run side by side).</summary>
    public DateTime Started { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Whether the test ran by itself after the others, because what it holds conflicts with every test.</summary>
    public bool RanAlone { get; init; }

    /// <summary>The evidence transcript the test wrote.</summary>
    public string Output { get; init; } = "";

    /// <summary>Failure details (stack trace) when there are any.</summary>
    public string Details { get; init; } = "";

    public bool IsFailure => Outcome is TestOutcome.Failed or TestOutcome.Error;

    public bool IsSkip => Outcome is TestOutcome.NotApplicable or TestOutcome.NeedsAttestation;
}

/// <summary>Output a fixture wrote in its one-time setup or teardown, e.g. the shared objects it created.</summary>
public sealed record FixtureOutput(string RequirementId, string Fixture, string Output);
