using AiConformance.Plugin.Running;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class RequirementStatusTests
{
    private static TestRecord T(TestOutcome outcome, string message = "why") => new($"TestX/{outcome}{Guid.NewGuid():N}", "x", outcome, message);

    [Test]
    public void AllPassedIsImplemented() =>
        Assert.That(RequirementStatus.Decide([T(TestOutcome.Passed), T(TestOutcome.Passed)]).Status, Is.EqualTo("Implemented"));

    [Test]
    public void SomePassedIsPartiallyImplemented() =>
        Assert.That(RequirementStatus.Decide([T(TestOutcome.Passed), T(TestOutcome.Failed)]).Status, Is.EqualTo("Partially Implemented"));

    [Test]
    public void NonePassedIsNotImplemented() =>
        Assert.That(RequirementStatus.Decide([T(TestOutcome.Failed), T(TestOutcome.Error)]).Status, Is.EqualTo("Not Implemented"));

    [Test]
    public void InterruptedCountsAsFailed() =>
        Assert.That(RequirementStatus.Decide([T(TestOutcome.Passed), T(TestOutcome.Error, "interrupted: stopped")]).Status, Is.EqualTo("Partially Implemented"));

    [Test]
    public void AllNotApplicableIsNaWithTheReason()
    {
        var (status, notes) = RequirementStatus.Decide([T(TestOutcome.NotApplicable, "no cluster autoscaler")]);
        Assert.That(status, Is.EqualTo("N/A"));
        Assert.That(notes, Does.Contain("no cluster autoscaler"));
    }

    [Test]
    public void PassedWithNotApplicablePartsIsImplemented() =>
        Assert.That(RequirementStatus.Decide([T(TestOutcome.Passed), T(TestOutcome.NotApplicable)]).Status, Is.EqualTo("Implemented"));

    [Test]
    public void AttestationLeavesTheStatusEmptyEvenBesidePasses()
    {
        var (status, notes) = RequirementStatus.Decide([T(TestOutcome.Passed), T(TestOutcome.NeedsAttestation, "vendor unknown")]);
        Assert.That(status, Is.Empty);
        Assert.That(notes, Does.Contain("vendor unknown").And.Contain("Needs attestation"));
    }

    [Test]
    public void FailureWinsOverAttestation() =>
        Assert.That(RequirementStatus.Decide([T(TestOutcome.Failed), T(TestOutcome.NeedsAttestation)]).Status, Is.EqualTo("Not Implemented"));

    [Test]
    public void NoTestsIsNeverAPass()
    {
        var (status, notes) = RequirementStatus.Decide([]);
        Assert.That(status, Is.Empty);
        Assert.That(notes, Does.Contain("no automated test for this requirement in this version"));
    }

    [TestCase("Implemented", true)]
    [TestCase("N/A", true)]
    [TestCase("Partially Implemented", false)]
    [TestCase("Not Implemented", false)]
    [TestCase("", false)]
    public void OnlyImplementedOrNaSatisfiesAMust(string status, bool satisfies) =>
        Assert.That(RequirementStatus.Satisfies(status), Is.EqualTo(satisfies));
}
