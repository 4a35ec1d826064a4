using AiConformance.Checklist;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Plugin.Results;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// The Suite against the simulated clusters. On <c>reference</c> every test passes. Each embedded <c>broken/*</c>
/// scenario proves its requirement's tests can fail: the requirement is Implemented on the scenario it extends, and
/// comes out Not or Partially Implemented on the broken one because a test of it failed an assertion (not an error,
/// a timeout, an interruption, or anything the simulation itself warned of); the requirements it declares as
/// depending on the broken capability (<c>alsoAffects</c>) do not come out Implemented either, and every other
/// requirement keeps its outcome on the base. What caught each break is the table of <c>docs/verification.md</c>,
/// which must be what this run produced. A request with a field a real API server would drop fails any run.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SuiteAgainstScenariosTests
{
    private static readonly Dictionary<string, CaughtBreak> Caught = [];

    public static IEnumerable<TestCaseData> BrokenScenarios() =>
        ScenarioLoader.BrokenNames.Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    /// <summary>
    /// The reference's own checklist, and the newest, whose requirements (new since) the broken scenarios are verified
    /// with: a false failure of theirs on the conformant cluster is as much a defect.
    /// </summary>
    public static IEnumerable<TestCaseData> ReferenceChecklists() =>
        new[] { ScenarioRuns.ChecklistFor(ScenarioLoader.Load(ScenarioLoader.DefaultName)), ChecklistCatalog.Newest.Version }
            .Distinct().Select(version => new TestCaseData(version).SetArgDisplayNames(version));

    [TestCaseSource(nameof(ReferenceChecklists)), Order(1)]
    public async Task EveryTestPassesOnTheReferenceCluster(string checklist)
    {
        var run = await ScenarioRuns.OfAsync(ScenarioLoader.DefaultName, checklist);
        var failed = run.Result.Tests.Where(t => t.IsFailure).Select(t => $"{t.Name}: {t.Message}").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(run.Result.Tests, Is.Not.Empty, "the Suite ran no test at all against reference\n" + run.Diagnostics());
            Assert.That(failed, Is.Empty, "tests that failed on the conformant reference cluster\n" + run.Diagnostics());
            Assert.That(run.FidelityViolations, Is.Empty, "the Suite sent fields a real API server would drop\n" + run.Diagnostics());
            Assert.That(run.TestedStatuses.Values, Has.All.AnyOf(RequirementStatus.Implemented, RequirementStatus.NotApplicable, RequirementStatus.NeedsAttestation),
                run.Diagnostics());
        });
    }

    [Test, Order(2)]
    public void EveryBrokenScenarioNamesARequirementAndItsBase()
    {
        Assert.That(ScenarioLoader.BrokenNames, Is.Not.Empty, "there is no broken/* scenario; the harness cannot show that a fixture can fail");
        Assert.Multiple(() =>
        {
            foreach (var name in ScenarioLoader.BrokenNames)
            {
                var scenario = ScenarioLoader.Load(name);
                Assert.That(scenario.Breaks, Is.Not.Null.And.Not.Empty, $"{name} does not say which requirement it breaks (`breaks:`)");
                Assert.That(ChecklistCatalog.SectionOf(scenario.Breaks ?? ""), Is.Not.Null, $"{name} breaks '{scenario.Breaks}', which no checklist knows");
                Assert.That(name, Does.StartWith($"broken/{scenario.Breaks}-"), $"{name} must be named broken/<id>-<what>");
                Assert.That(scenario.Extends, Is.Not.Null, $"{name} must extend the conformant scenario it breaks (`extends:`), on which its requirement is shown Implemented");
                foreach (var dependent in scenario.AlsoAffects ?? [])
                    Assert.That(ChecklistCatalog.SectionOf(dependent), Is.Not.Null, $"{name}: alsoAffects names '{dependent}', which no checklist knows");
            }
        });
    }

    [TestCaseSource(nameof(BrokenScenarios)), Order(3)]
    public async Task BrokenScenarioIsCaughtByAnAssertionOfItsRequirement(string scenarioName)
    {
        var scenario = ScenarioLoader.Load(scenarioName);
        var broken = scenario.Breaks!;
        var checklist = ScenarioRuns.ChecklistFor(scenario, broken);
        var onBase = await ScenarioRuns.OfAsync(scenario.Extends!, checklist);
        var run = await ScenarioRuns.OfAsync(scenarioName, checklist);
        // An assertion that did not hold is NUnit's Failure; errors, timeouts and interruptions are recorded as errors.
        var caughtBy = run.Result.Tests.Where(t => t.RequirementId == broken && t.Outcome == TestOutcome.Failed).ToList();
        lock (Caught) Caught[scenarioName] = CaughtBreak.Of(broken, scenarioName, caughtBy);

        var dependents = scenario.AlsoAffects ?? [];
        Assert.Multiple(() =>
        {
            Assert.That(onBase.StatusOf(broken), Is.EqualTo(RequirementStatus.Implemented),
                $"{broken} must be Implemented on {scenario.Extends}, which {scenarioName} extends, or breaking it proves nothing\n{onBase.Outcomes(broken)}");
            Assert.That(run.StatusOf(broken), Is.AnyOf(RequirementStatus.NotImplemented, RequirementStatus.PartiallyImplemented),
                $"{scenarioName} breaks {broken}, yet the Suite reports it as {run.StatusOf(broken)}\n" + run.Diagnostics());
            Assert.That(caughtBy, Is.Not.Empty,
                $"no test of {broken} failed an assertion on {scenarioName}; what its tests ended as:\n{run.Outcomes(broken)}");
            Assert.That(run.SimulationWarnings, Is.Empty,
                $"the simulation itself complained on {scenarioName}, so what failed may be the simulation rather than the break\n" + run.Diagnostics());
            foreach (var dependent in dependents.Where(d => run.Result.Requirements.Any(r => r.Id == d)))
                Assert.That(run.StatusOf(dependent), Is.AnyOf(RequirementStatus.NotImplemented, RequirementStatus.PartiallyImplemented, RequirementStatus.NeedsAttestation),
                    $"{scenarioName} declares that {dependent} depends on {broken} (alsoAffects), yet it comes out {run.StatusOf(dependent)}\n{run.Outcomes(dependent)}");
            foreach (var (id, status) in onBase.TestedStatuses.Where(e => e.Key != broken && !dependents.Contains(e.Key)))
                Assert.That(run.Result.Requirements.SingleOrDefault(r => r.Id == id)?.Status, Is.EqualTo(status),
                    $"{id} changed from its outcome on {scenario.Extends} on {scenarioName}, which breaks only {broken}\n" + run.Diagnostics());
            Assert.That(run.FidelityViolations, Is.Empty, "the Suite sent fields a real API server would drop\n" + run.Diagnostics());
        });
    }

    /// <summary>
    /// The table of what caught each break goes into the test results; docs/verification.md must say the same of every
    /// break it lists and list no break that is gone. A break it does not list yet is a warning, not a failure: the
    /// break itself is verified by the tests above.
    /// </summary>
    [Test, Order(4)]
    public void TheVerificationTableInTheDocsIsWhatThisRunProduced()
    {
        List<CaughtBreak> rows;
        lock (Caught) rows = [.. Caught.Values];
        if (rows.Count == 0)
            Assert.Inconclusive("no broken scenario ran in this test run, so there is no table to compare");
        var table = VerificationTable.Render(rows);
        var produced = Path.Combine(TestContext.CurrentContext.WorkDirectory, "verification-table.md");
        File.WriteAllText(produced, table);
        TestContext.AddTestAttachment(produced, "which tests caught which broken scenario in this run");
        var docsPath = Path.Combine(RepositoryFiles.Root, VerificationTable.DocsPath);
        if (Environment.GetEnvironmentVariable(VerificationTable.OutputVariable) is { Length: > 0 } target)
            File.WriteAllText(target, table);

        var complete = ScenarioLoader.BrokenNames.All(rows.Select(r => r.Scenario).Contains);
        var docs = File.Exists(docsPath) ? File.ReadAllText(docsPath) : "";
        const string hint = "run `make verification-table` and commit docs/verification.md";
        var documented = VerificationTable.Rows(docs).ToDictionary(VerificationTable.ScenarioOf);
        var ran = VerificationTable.Rows(table).ToDictionary(VerificationTable.ScenarioOf);
        Assert.Multiple(() =>
        {
            // What caught a documented break must not change silently.
            foreach (var (scenario, row) in ran.Where(entry => documented.ContainsKey(entry.Key)))
                Assert.That(documented[scenario], Is.EqualTo(row), $"what caught {scenario} is not what {VerificationTable.DocsPath} says ({produced}); {hint}");
            if (complete)
                Assert.That(documented.Keys.Except(ran.Keys), Is.Empty, $"{VerificationTable.DocsPath} has rows of scenarios that no longer exist; {hint}");
        });
        // A break added since the table was last written is verified above like every other; only its row is missing.
        var undocumented = ran.Keys.Except(documented.Keys).Order(StringComparer.Ordinal).ToList();
        if (undocumented.Count > 0)
            Assert.Warn($"{VerificationTable.DocsPath} has no row yet for {string.Join(", ", undocumented)} ({produced}); {hint}");
    }
}
