using System.Xml.Linq;
using AiConformance.Plugin.Results;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using SuiteOutcome = AiConformance.Suite.Framework.Outcome;

namespace AiConformance.Plugin.Tests;

/// <summary>
/// Only a pass passes, and only the suite's explicit not-applicable outcome is N/A: every other NUnit result a fixture
/// can end with (a warning, an ignore, a skip, an inconclusive) needs attestation, so it can neither satisfy a MUST nor
/// print PASS.
/// </summary>
public class OutcomeMappingTests
{
    public static IEnumerable<TestCaseData> ResultStates()
    {
        TestCaseData Case(ResultState state, TestOutcome outcome, string name) => new TestCaseData(state, outcome).SetArgDisplayNames(name);
        yield return Case(ResultState.Success, TestOutcome.Passed, "Success");
        yield return Case(ResultState.Failure, TestOutcome.Failed, "Failure");
        yield return Case(ResultState.SetUpFailure, TestOutcome.Failed, "SetUpFailure");
        yield return Case(ResultState.Failure.WithSite(FailureSite.Parent), TestOutcome.Failed, "FailureInParent");
        yield return Case(ResultState.Error, TestOutcome.Error, "Error");
        yield return Case(ResultState.SetUpError, TestOutcome.Error, "SetUpError");
        yield return Case(ResultState.Cancelled, TestOutcome.Error, "Cancelled");
        yield return Case(ResultState.NotRunnable, TestOutcome.Error, "NotRunnable");
        yield return Case(new ResultState(TestStatus.Skipped, SuiteOutcome.NotApplicableLabel), TestOutcome.NotApplicable, "NotApplicable");
        yield return Case(new ResultState(TestStatus.Skipped, SuiteOutcome.NotApplicableLabel, FailureSite.Parent), TestOutcome.NotApplicable, "NotApplicableInParent");
        yield return Case(ResultState.Warning, TestOutcome.NeedsAttestation, "Warning");
        yield return Case(ResultState.Ignored, TestOutcome.NeedsAttestation, "Ignored");
        yield return Case(ResultState.Explicit, TestOutcome.NeedsAttestation, "Explicit");
        yield return Case(ResultState.Skipped, TestOutcome.NeedsAttestation, "Skipped");
        yield return Case(ResultState.Inconclusive, TestOutcome.NeedsAttestation, "Inconclusive");
    }

    [TestCaseSource(nameof(ResultStates))]
    public void EachNUnitResultHasOneMeaning(ResultState state, TestOutcome expected)
    {
        var (outcome, message) = NUnitOutcome.Of(state, "the reason");
        Assert.That(outcome, Is.EqualTo(expected));
        Assert.That(message, Does.EndWith("the reason"));
    }

    [TestCase("warning", "NUnit reported a warning")]
    [TestCase("ignored", "the test was ignored")]
    [TestCase("explicit", "the test is explicit and did not run")]
    public void AnUnrecognisedResultSaysWhatNUnitReported(string kind, string note)
    {
        var state = kind switch
        {
            "warning" => ResultState.Warning,
            "ignored" => ResultState.Ignored,
            _ => ResultState.Explicit,
        };
        Assert.That(NUnitOutcome.Of(state, "").Message, Does.StartWith(note).And.Contain("N/A only through the suite's not-applicable outcome"));
    }

    [TestCase("Test exceeded Timeout value of 100ms")]
    [TestCase("Test exceeded CancelAfter value of 100ms")]
    public void ATimeLimitIsAnErrorNotAnAssertion(string message) =>
        Assert.That(NUnitOutcome.Of(ResultState.Failure, message), Is.EqualTo((TestOutcome.Error, $"timed out: {message}")));

    // Whole runs of one MUST requirement (ai_inference, v1.35) whose only test ends as named.
    [TestCase("notApplicable", TestOutcome.NotApplicable, RequirementStatus.NotApplicable, ExitCodes.Conformant, "SKIP")]
    [TestCase("needsAttestation", TestOutcome.NeedsAttestation, RequirementStatus.NeedsAttestation, ExitCodes.NotConformant, "SKIP")]
    [TestCase("ignored", TestOutcome.NeedsAttestation, RequirementStatus.NeedsAttestation, ExitCodes.NotConformant, "SKIP")]
    [TestCase("ignoredByAttribute", TestOutcome.NeedsAttestation, RequirementStatus.NeedsAttestation, ExitCodes.NotConformant, "SKIP")]
    [TestCase("inconclusive", TestOutcome.NeedsAttestation, RequirementStatus.NeedsAttestation, ExitCodes.NotConformant, "SKIP")]
    [TestCase("warning", TestOutcome.NeedsAttestation, RequirementStatus.NeedsAttestation, ExitCodes.NotConformant, "SKIP")]
    [TestCase("failed", TestOutcome.Failed, RequirementStatus.NotImplemented, ExitCodes.NotConformant, "FAIL")]
    [TestCase("error", TestOutcome.Error, RequirementStatus.NotImplemented, ExitCodes.NotConformant, "FAIL")]
    [TestCase("passed", TestOutcome.Passed, RequirementStatus.Implemented, ExitCodes.Conformant, "PASS")]
    public async Task AMustWhoseOnlyTestEndsSoIsReportedHonestly(
        string result, TestOutcome outcome, RequirementStatus status, int exitCode, string goVerdict)
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("ai_inference") with { ConfigPath = fixture.WriteConfig($"fake:\n  results: [{result}]\n") };

        var run = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        var test = run.Tests.Single();
        var e2e = File.ReadAllText(Path.Combine(run.OutputDirectory, "e2e.log"));
        var junitCase = XDocument.Load(Path.Combine(run.OutputDirectory, "junit.xml")).Descendants("testcase").Single();
        Assert.Multiple(() =>
        {
            Assert.That(test.Outcome, Is.EqualTo(outcome), test.Message);
            Assert.That(run.Requirements.Single().Status, Is.EqualTo(status));
            Assert.That(run.ExitCode, Is.EqualTo(exitCode));
            Assert.That(e2e, Does.Contain($"    --- {goVerdict}: {test.Name} ("));
            Assert.That(e2e, Does.Contain($"\n--- {goVerdict}: TestAiInference ("), "the requirement's own line says no more than its tests");
            Assert.That(junitCase.Elements().Select(e => e.Name.LocalName).Where(n => n != "properties" && n != "system-out"),
                Is.EqualTo(goVerdict switch { "SKIP" => ["skipped"], "FAIL" => [outcome == TestOutcome.Failed ? "failure" : "error"], _ => Array.Empty<string>() }));
        });
    }

    [Test]
    public async Task AWarningDoesNotPassTheRequirementItsOtherTestsPass()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("ai_inference") with { ConfigPath = fixture.WriteConfig("fake:\n  results: [passed, warning]\n") };

        var run = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        var warned = run.Tests.Single(t => t.Name.Contains("warning", StringComparison.Ordinal));
        var e2e = File.ReadAllText(Path.Combine(run.OutputDirectory, "e2e.log"));
        Assert.Multiple(() =>
        {
            Assert.That(run.Requirements.Single().Status, Is.EqualTo(RequirementStatus.NeedsAttestation));
            Assert.That(run.Requirements.Single().Notes, Does.Contain("NUnit reported a warning").And.Contain("the route took long to be accepted"));
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.NotConformant));
            Assert.That(e2e, Does.Contain($"    --- SKIP: {warned.Name} (").And.Not.Contain($"--- PASS: {warned.Name}"));
            Assert.That(e2e, Does.Contain("\n--- SKIP: TestAiInference ("));
            Assert.That(fixture.Output.ToString(), Does.Contain($"SKIP  {warned.Name}"));
        });
    }

    [TestCase("notApplicable", TestOutcome.NotApplicable, "no Gateway API is served")]
    [TestCase("ignored", TestOutcome.NeedsAttestation, "the test was ignored")]
    public async Task WhatAOneTimeSetUpEndsWithReachesItsTests(string setup, TestOutcome outcome, string message)
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("ai_inference") with { ConfigPath = fixture.WriteConfig($"fake:\n  sharedSetup: {setup}\n") };

        var run = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        Assert.That(run.Tests.Select(t => (t.Outcome, t.Message.Contains(message, StringComparison.Ordinal))), Is.EqualTo(new[] { (outcome, true) }),
            string.Join("\n", run.Tests.Select(t => $"{t.Outcome}: {t.Message}")));
    }
}
