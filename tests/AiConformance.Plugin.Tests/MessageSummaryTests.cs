using AiConformance.Plugin.Results;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class MessageSummaryTests
{
    [Test]
    public void ConstraintMessagesKeepExpectedAndObserved() =>
        Assert.That(MessageSummary.Of("  one member started\nAssert.That(started, Is.Zero)\n  Expected: 0\n  But was:  1\n"),
            Is.EqualTo("one member started Expected: 0 But was:  1"));

    [Test]
    public void AMessageOfOnlyTheExpressionIsKept() =>
        Assert.That(MessageSummary.Of("Assert.That(x, Is.True)"), Is.EqualTo("Assert.That(x, Is.True)"));

    [Test]
    public void LongMessagesAreCut()
    {
        var summary = MessageSummary.Of(new string('x', 500), 50);
        Assert.That(summary, Has.Length.EqualTo(50).And.EndsWith("..."));
    }
}
