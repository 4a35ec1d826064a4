namespace AiConformance.Plugin.Running;

/// <summary>How a run ended and what it found; <see cref="ExitCode"/> follows <see cref="ExitCodes"/>.</summary>
public sealed record RunResult
{
    public required int ExitCode { get; init; }

    /// <summary>The folder the reports were written to.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The checklist version run, e.g. v1.35; null when the run could not start.</summary>
    public string? ChecklistVersion { get; init; }

    /// <summary>One line saying why the run could not start (exit codes 2 and 3); null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>True when the deadline or a signal stopped the run before every test finished.</summary>
    public bool Interrupted { get; init; }

    public IReadOnlyList<RequirementResult> Requirements { get; init; } = [];

    public IReadOnlyList<TestRecord> Tests { get; init; } = [];
}

/// <summary>One selected requirement: its checklist status (exactly as written to the checklist) and test counts.</summary>
public sealed record RequirementResult(
    string Id, string Section, string Level, string Status, int Passed, int Failed, int Skipped, string Notes);

/// <summary>What a test ended as. Error covers tests that crashed or were interrupted.</summary>
public enum TestOutcome { Passed, Failed, Error, NotApplicable, NeedsAttestation }

/// <summary>One test of the run: its JUnit name (<c>TestX/Behaviour</c>), outcome, message and evidence transcript.</summary>
public sealed record TestRecord(string Name, string RequirementId, TestOutcome Outcome, string Message)
{
    public TimeSpan Duration { get; init; }

    /// <summary>The evidence transcript the test wrote.</summary>
    public string Output { get; init; } = "";

    /// <summary>Failure details (stack trace) when there are any.</summary>
    public string Details { get; init; } = "";

    public bool IsFailure => Outcome is TestOutcome.Failed or TestOutcome.Error;

    public bool IsSkip => Outcome is TestOutcome.NotApplicable or TestOutcome.NeedsAttestation;
}
