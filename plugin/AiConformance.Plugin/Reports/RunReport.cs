using AiConformance.Checklist;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>One selected requirement with its tests and the status they add up to.</summary>
public sealed record RequirementReport(Requirement Requirement, RequirementStatus Status, string Notes, IReadOnlyList<TestRecord> Tests)
{
    /// <summary>What the requirement's fixtures recorded outside their tests (shared setup and teardown).</summary>
    public IReadOnlyList<FixtureOutput> FixtureOutputs { get; init; } = [];

    public int Passed => Tests.Count(t => t.Outcome == TestOutcome.Passed);
    public int Failed => Tests.Count(t => t.IsFailure);
    public int Skipped => Tests.Count(t => t.IsSkip);

    /// <summary>Relative path of the requirement's evidence file inside the results folder.</summary>
    public string EvidencePath => $"evidence/{Requirement.Id}.md";

    public string TestPrefix => TestNames.ForRequirement(Requirement.Id);
}

/// <summary>Everything the reports are written from.</summary>
public sealed record RunReport
{
    public required ChecklistVersion Checklist { get; init; }
    public required IReadOnlyList<RequirementReport> Requirements { get; init; }
    public required string RunId { get; init; }
    public string? ServerVersion { get; init; }
    public DateTimeOffset Started { get; init; }
    public TimeSpan Duration { get; init; }
    public bool Simulated { get; init; }
    public string? SimulationName { get; init; }
    public bool Interrupted { get; init; }
    public int ExitCode { get; init; }

    /// <summary>The most tests the run let run side by side (1: one at a time).</summary>
    public int Parallel { get; init; } = 1;

    /// <summary>Values for the checklist's metadata, from the <c>metadata.*</c> configuration keys.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public IEnumerable<TestRecord> Tests => Requirements.SelectMany(r => r.Tests);

    /// <summary>The SIMULATED marker with the scenario, e.g. "SIMULATED (scenario reference)".</summary>
    public string SimulatedLabel => SimulationName is null ? "SIMULATED" : $"SIMULATED (scenario {SimulationName})";
}
