using AiConformance.Plugin.Results;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class RequirementVerdictTests
{
    private static TestRecord T(TestOutcome outcome, string message = "why") => new($"TestX/{outcome}{Guid.NewGuid():N}", "x", outcome, message);

    [Test]
    public void AllPassedIsImplemented() =>
        Assert.That(RequirementVerdict.Decide([T(TestOutcome.Passed), T(TestOutcome.Passed)]).Status, Is.EqualTo(RequirementStatus.Implemented));

    [Test]
    public void SomePassedIsPartiallyImplemented() =>
        Assert.That(RequirementVerdict.Decide([T(TestOutcome.Passed), T(TestOutcome.Failed)]).Status, Is.EqualTo(RequirementStatus.PartiallyImplemented));

    [Test]
    public void NonePassedIsNotImplemented() =>
        Assert.That(RequirementVerdict.Decide([T(TestOutcome.Failed), T(TestOutcome.Error)]).Status, Is.EqualTo(RequirementStatus.NotImplemented));

    [Test]
    public void InterruptedCountsAsFailed() =>
        Assert.That(RequirementVerdict.Decide([T(TestOutcome.Passed), T(TestOutcome.Error, "interrupted: stopped")]).Status, Is.EqualTo(RequirementStatus.PartiallyImplemented));

    [Test]
    public void AllNotApplicableIsNaWithTheReason()
    {
        var (status, notes) = RequirementVerdict.Decide([T(TestOutcome.NotApplicable, "no cluster autoscaler")]);
        Assert.That(status, Is.EqualTo(RequirementStatus.NotApplicable));
        Assert.That(notes, Does.Contain("no cluster autoscaler"));
    }

    [Test]
    public void PassedWithNotApplicablePartsIsImplemented() =>
        Assert.That(RequirementVerdict.Decide([T(TestOutcome.Passed), T(TestOutcome.NotApplicable)]).Status, Is.EqualTo(RequirementStatus.Implemented));

    [Test]
    public void AttestationLeavesTheStatusEmptyEvenBesidePasses()
    {
        var (status, notes) = RequirementVerdict.Decide([T(TestOutcome.Passed), T(TestOutcome.NeedsAttestation, "vendor unknown")]);
        Assert.That(status, Is.EqualTo(RequirementStatus.NeedsAttestation));
        Assert.That(notes, Does.Contain("vendor unknown").And.Contain("Needs attestation"));
    }

    [Test]
    public void FailureWinsOverAttestation() =>
        Assert.That(RequirementVerdict.Decide([T(TestOutcome.Failed), T(TestOutcome.NeedsAttestation)]).Status, Is.EqualTo(RequirementStatus.NotImplemented));

    [Test]
    public void NoTestsIsNeverAPass()
    {
        var (status, notes) = RequirementVerdict.Decide([]);
        Assert.That(status, Is.EqualTo(RequirementStatus.NeedsAttestation));
        Assert.That(notes, Does.Contain("no automated test for this requirement in this version"));
    }

    [Test]
    public void NoTestsGivesTheReasonTheSuiteKnows() =>
        Assert.That(RequirementVerdict.Decide([], "no automated test yet; attest with X").Notes,
            Is.EqualTo("Needs attestation: no automated test yet; attest with X; add evidence (documentation or a manual check) and set the status."));

    [TestCase(RequirementStatus.Implemented, true)]
    [TestCase(RequirementStatus.NotApplicable, true)]
    [TestCase(RequirementStatus.PartiallyImplemented, false)]
    [TestCase(RequirementStatus.NotImplemented, false)]
    [TestCase(RequirementStatus.NeedsAttestation, false)]
    public void OnlyImplementedOrNaSatisfiesAMust(RequirementStatus status, bool satisfies) =>
        Assert.That(status.SatisfiesMust(), Is.EqualTo(satisfies));

    [TestCase(RequirementStatus.Implemented, "Implemented")]
    [TestCase(RequirementStatus.PartiallyImplemented, "Partially Implemented")]
    [TestCase(RequirementStatus.NotImplemented, "Not Implemented")]
    [TestCase(RequirementStatus.NotApplicable, "N/A")]
    [TestCase(RequirementStatus.NeedsAttestation, "")]
    public void EachStatusIsWrittenAndReadInTheChecklistsSpelling(RequirementStatus status, string text)
    {
        Assert.That(status.ChecklistText(), Is.EqualTo(text));
        Assert.That(RequirementStatuses.Parse(text), Is.EqualTo(status));
    }

    [TestCase("implemented")]
    [TestCase("Done")]
    [TestCase(" ")]
    public void OtherTextIsNoStatus(string text) => Assert.That(RequirementStatuses.Parse(text), Is.Null);
}
