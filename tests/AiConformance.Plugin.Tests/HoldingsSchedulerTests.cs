using AiConformance.Plugin.Running;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>
/// The scheduler of tests run side by side, driven directly: each check makes a test wait (on a thread, as an NUnit
/// worker would), waits until the scheduler reports it waiting, and only then looks; nothing depends on timing.
/// </summary>
public sealed class HoldingsSchedulerTests
{
    private static readonly Holding Share = new(Hold.AcceleratorShare);
    private static readonly Holding AllAccelerators = new(Hold.AllAccelerators);

    private static TestHoldings Test(string id, int order, params Holding[] holdings) => new(id, order, holdings);

    [Test]
    public void AllAcceleratorsWaitsForEveryShareAndSharesWaitForIt()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16);
        scheduler.Acquire(Test("share", 0, Share));
        var all = Waiting(scheduler, Test("all", 1, AllAccelerators));
        Started(scheduler, Test("namespace-only", 2)).Wait();
        Assert.That(scheduler.Running, Is.EquivalentTo(new[] { "share", "namespace-only" }), "a test holding only its namespace runs beside anything");

        scheduler.Release("share");
        all.Wait();
        var share = Waiting(scheduler, Test("later share", 3, Share));
        Assert.That(scheduler.Running, Does.Not.Contain("later share"));
        scheduler.Release("all");
        share.Wait();
    }

    [Test]
    public void SharesRunTogetherWhileTheirUnitsFitTheCluster()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 3);
        scheduler.Acquire(Test("two", 0, Share with { Units = 2 }));
        var another = Waiting(scheduler, Test("two more", 1, Share with { Units = 2 }));
        // One unit still fits, and nothing conflicts with it otherwise: it goes ahead of the waiting two.
        Started(scheduler, Test("one", 2, Share)).Wait();
        scheduler.Release("two");
        another.Wait();
        Assert.That(scheduler.Running, Is.EquivalentTo(new[] { "one", "two more" }));
    }

    [Test]
    public void AShareLargerThanTheClusterStillRunsAloneAmongShares()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 2);
        Started(scheduler, Test("greedy", 0, Share with { Units = 5 })).Wait();
        var small = Waiting(scheduler, Test("small", 1, Share));
        scheduler.Release("greedy");
        small.Wait();
    }

    [Test]
    public void NoMoreThanTheBoundRunAtOnce()
    {
        var scheduler = new HoldingsScheduler(bound: 2, acceleratorUnits: 1);
        scheduler.Acquire(Test("a", 0));
        scheduler.Acquire(Test("b", 1));
        var third = Waiting(scheduler, Test("c", 2));
        scheduler.Release("a");
        third.Wait();
        Assert.That(scheduler.Running, Is.EquivalentTo(new[] { "b", "c" }));
    }

    [Test]
    public void AWaitingTestIsNotOvertakenByALaterOneItConflictsWith()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16);
        scheduler.Acquire(Test("share", 0, Share));
        var all = Waiting(scheduler, Test("all", 1, AllAccelerators));
        // The later share fits beside the running one, but would keep the waiting "all" out: it waits behind it.
        var later = Waiting(scheduler, Test("later share", 2, Share));
        scheduler.Release("share");
        all.Wait();
        Assert.That(scheduler.Running, Is.EqualTo(new[] { "all" }));
        scheduler.Release("all");
        later.Wait();
    }

    [Test]
    public void WholeNodesAndNonParallelizableRunAlone()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16);
        scheduler.Acquire(Test("nodes", 0, new Holding(Hold.WholeNodes)));
        var bystander = Waiting(scheduler, Test("namespace-only", 1));
        scheduler.Release("nodes");
        bystander.Wait();
        var exclusive = Waiting(scheduler, new TestHoldings("marked", 2, [], Everything: true));
        scheduler.Release("namespace-only");
        exclusive.Wait();
    }

    [Test]
    public void OnlyTheSameClusterResourceConflicts()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16);
        scheduler.Acquire(Test("webhooks", 0, new Holding(Hold.ClusterResource, Resource: "webhooks")));
        Started(scheduler, Test("pools", 1, new Holding(Hold.ClusterResource, Resource: "autoscaler-pools"))).Wait();
        var same = Waiting(scheduler, Test("webhooks too", 2, new Holding(Hold.ClusterResource, Resource: "Webhooks")));
        scheduler.Release("webhooks");
        same.Wait();
    }

    [Test]
    public void ATestThatMustRunAloneGoesFirstWhereverItReachesTheScheduler()
    {
        var alone = Test("alone", 5, new Holding(Hold.WholeNodes));
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16, [Test("early", 0), alone]);
        // Nothing runs yet, but the test that must run alone has not come: the earlier one waits for it.
        var early = Waiting(scheduler, Test("early", 0));
        Started(scheduler, alone).Wait();
        Assert.That(scheduler.Running, Is.EqualTo(new[] { "alone" }));
        scheduler.Release("alone");
        early.Wait();
    }

    [Test]
    public void ATestThatMustRunAloneButEndsUnrunKeepsNoOneWaiting()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16, [Test("other", 0), Test("alone", 1, new Holding(Hold.WholeNodes))]);
        var other = Waiting(scheduler, Test("other", 0));
        scheduler.Release("alone"); // its fixture ended without running it
        other.Wait();
    }

    [Test]
    public void GivingBackAPhaseLetsTheTestsItNoLongerConflictsWithStart()
    {
        var pools = new Holding(Hold.ClusterResource, Resource: "autoscaler-pools");
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16);
        scheduler.Acquire(Test("autoscaling", 0, new Holding(Hold.WholeNodes)));
        var share = Waiting(scheduler, Test("share", 1, Share));
        var bystander = Waiting(scheduler, Test("namespace-only", 2));
        var samePools = Waiting(scheduler, Test("pools too", 3, pools));

        scheduler.GiveBack("autoscaling", [pools]);
        // Bounded only so that a scheduler which never lets them start fails here instead of hanging the run.
        Assert.That(Task.WaitAll([share, bystander], TimeSpan.FromMinutes(1)), Is.True, "tests that conflicted only with the phase given back start");
        Assert.That(scheduler.Waiting, Is.EqualTo(new[] { "pools too" }), "what it kept still keeps others out");
        scheduler.Release("autoscaling");
        samePools.Wait();
    }

    [Test]
    public void GivingBackMoreThanWasHeldIsRefused()
    {
        var scheduler = new HoldingsScheduler(bound: 8, acceleratorUnits: 16);
        scheduler.Acquire(Test("a", 0));
        scheduler.Acquire(Test("b", 1));
        Assert.That(() => scheduler.GiveBack("b", [new Holding(Hold.WholeNodes)]),
            Throws.InvalidOperationException.With.Message.Contains("can only give holdings back"));
        Assert.That(scheduler.Running, Is.EquivalentTo(new[] { "a", "b" }));
    }

    [Test]
    public void AStopLetsEveryWaitingTestThrough()
    {
        var scheduler = new HoldingsScheduler(bound: 1, acceleratorUnits: 1);
        scheduler.Acquire(Test("running", 0));
        var first = Waiting(scheduler, Test("first", 1));
        var second = Waiting(scheduler, Test("second", 2));
        scheduler.Stop();
        first.Wait();
        second.Wait();
        Started(scheduler, Test("after the stop", 3)).Wait();
    }

    [Test]
    public void ATestsPlaceIsItsOrderNotWhereReflectionListsIt()
    {
        // The fixture declares the test that holds whole nodes first, with [Order(3)].
        var places = SuiteAssembly.Load(Support.RunFixture.FixturesAssembly).Tests
            .Where(t => t.RequirementId == "driver_runtime_management")
            .ToDictionary(t => t.Name, t => t.Holdings.Order);
        Assert.That(places["TestAcceleratorDriverRuntimeManagement/FirstMeetsSecond"],
            Is.LessThan(places["TestAcceleratorDriverRuntimeManagement/SecondMeetsFirst"]));
        Assert.That(places["TestAcceleratorDriverRuntimeManagement/SecondMeetsFirst"],
            Is.LessThan(places["TestAcceleratorDriverRuntimeManagement/HoldsWholeNodes"]));
    }

    [TestCase("accelerators:3")]
    [TestCase("accelerators:all")]
    [TestCase("nodes:all")]
    [TestCase("cluster:kueue-cluster-queues")]
    public void AHoldingReadsBackAsWritten(string text) => Assert.That(Holding.Parse(text).ToString(), Is.EqualTo(text));

    [TestCase("accelerators:0")]
    [TestCase("accelerators:some")]
    [TestCase("cluster:")]
    [TestCase("gpus")]
    public void AnUnknownHoldingIsRefused(string text) => Assert.That(() => Holding.Parse(text), Throws.TypeOf<FormatException>());

    /// <summary>Starts <paramref name="test"/> on its own thread and returns once the scheduler holds it waiting.</summary>
    private static Task Waiting(HoldingsScheduler scheduler, TestHoldings test)
    {
        var acquired = Started(scheduler, test);
        SpinWait.SpinUntil(() => scheduler.Waiting.Contains(test.Id) || acquired.IsCompleted);
        Assert.That(acquired.IsCompleted, Is.False, $"{test.Id} should wait, yet it started beside {string.Join(", ", scheduler.Running)}");
        return acquired;
    }

    private static Task Started(HoldingsScheduler scheduler, TestHoldings test) =>
        Task.Factory.StartNew(() => scheduler.Acquire(test), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
