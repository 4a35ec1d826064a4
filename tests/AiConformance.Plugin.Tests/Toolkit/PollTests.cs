using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class PollTests
{
    [Test]
    public async Task ReadsUntilTheConditionHoldsAndReturnsThatReading()
    {
        var reads = 0;
        var (last, satisfied) = await Poll.UntilAsync(() => Task.FromResult(++reads), value => value == 3, TimeSpan.FromMinutes(5),
            TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(satisfied, Is.True);
            Assert.That(last, Is.EqualTo(3));
            Assert.That(reads, Is.EqualTo(3), "no read after the condition held");
        });
    }

    [Test]
    public async Task ReadsAtLeastOnceAndReportsTheLastReadingWhenTimeIsUp()
    {
        var reads = 0;
        var (last, satisfied) = await Poll.UntilAsync(() => Task.FromResult(++reads), _ => false, TimeSpan.Zero,
            TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(satisfied, Is.False);
            Assert.That(last, Is.EqualTo(1));
        });
    }

    [Test]
    public void StopsWhenTheRunIsCancelled()
    {
        using var cancelled = new CancellationTokenSource();
        Assert.That(async () => await Poll.UntilAsync(() => { cancelled.Cancel(); return Task.FromResult(0); }, _ => false,
            TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
    }
}
