using AiConformance.Plugin.Reports;
using AiConformance.Plugin.Results;

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

    /// <summary>Wall time of the tests, their longest one and the accelerator-seconds they held.</summary>
    public RunTimings? Timings { get; init; }
}

/// <summary>One selected requirement: its checklist status and test counts.</summary>
public sealed record RequirementResult(
    string Id, string Section, string Level, RequirementStatus Status, int Passed, int Failed, int Skipped, string Notes);
