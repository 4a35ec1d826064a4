using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.RunnerFixtures;

// Fixtures the runner tests run in-process or in a child process, standing in for the conformance suite. Their
// behaviour is switched by the run's configuration (keys under "fake."), which also proves the run context reaches
// the fixtures.

[Requirement("dra_support")]
public sealed class FakeDraSupport
{
    [Test]
    public void ClaimIsAllocated()
    {
        Evidence.Step("Create a claim");
        Evidence.Created("ResourceClaim", "ns-1", "claim-1");
        Evidence.Observed("allocated device", "gpu-0");
        Evidence.AcceleratorSeconds(2.5);
        Assert.That(RunContext.Current.RunId, Is.Not.Empty);
    }

    [Test]
    public void DeviceIsVisibleInTheContainer() => Evidence.Observed("device file", "/dev/fake0");
}

[Requirement("gang_scheduling")]
public sealed class FakeGangScheduling
{
    [OneTimeSetUp]
    public void CreateQueue() => Evidence.Created("LocalQueue", "ns-gang", "shared-queue");

    [Test]
    public void AllMembersStartTogether() => Evidence.Step("all members started");

    [Test]
    public void NoMemberStartsWhenTheGroupDoesNotFit() =>
        Assert.That(1, Is.EqualTo(0), "expected no member of the too-large group to start");
}

[Requirement("cluster_autoscaling")]
public sealed class FakeClusterAutoscaling
{
    [Test]
    public void NodeGroupGrows() => Outcome.NotApplicable("no cluster autoscaler is installed");
}

[Requirement("accelerator_metrics")]
public sealed class FakeAcceleratorMetrics
{
    [Test]
    public void MetricsAreExported() => Outcome.NeedsAttestation("accelerator vendor 'acme' is unknown; attach its metrics documentation");
}

[Requirement("gpu_sharing")]
public sealed class FakeGpuSharing
{
    [TestCase("time slicing")]
    [TestCase("mig")]
    public void SharesADevice(string strategy) => Evidence.Observed("strategy", strategy);
}

[Requirement("pod_autoscaling")]
public sealed class FakePodAutoscaling
{
    [Test]
    public async Task WaitsForTheRunToStop()
    {
        if (!RunContext.Current.Configuration.GetBool("fake.waitForStop", false))
        {
            return;
        }
        await Task.Delay(Timeout.Infinite, RunContext.Current.Cancellation);
    }
}

[Requirement("robust_controller")]
public sealed class FakeRobustController
{
    [Test, Order(1)]
    public void HangsIgnoringCancellation()
    {
        var configuration = RunContext.Current.Configuration;
        if (configuration.Get("fake.startedMarker") is { } marker)
        {
            File.WriteAllText(marker, "started");
        }
        if (configuration.GetBool("fake.hang", false))
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }

    [Test, Order(2)]
    public void RunsAfterTheHangingTest() => Evidence.Step("ran");
}

[Requirement("workload_sandboxing")]
public sealed class FakeWorkloadSandboxing
{
    [Test]
    public void OnlyInNewerChecklists() => Assert.Fail("workload_sandboxing is not part of v1.35 and must not run there");
}

[Requirement("secure_accelerator_access")]
public sealed class FakeSecureAcceleratorAccess
{
    [OneTimeSetUp]
    public void CreateSharedWorkload() => throw new InvalidOperationException("the shared workload could not be created");

    [Test]
    public void OtherPodsSeeNoDevice() => Assert.Pass();
}

[Requirement("virtualized_accelerator")]
public sealed class FakeVirtualizedAccelerator
{
    // Evaluated while NUnit loads the tests, as a fixture detecting what the cluster offers would be.
    private static IEnumerable<string> Profiles() => RunContext.Current.Configuration.GetList("fake.vgpuProfiles");

    [TestCaseSource(nameof(Profiles))]
    public void ProfileIsAllocated(string profile) => Evidence.Observed("profile", profile);
}

[Requirement("ai_inference")]
public sealed class FakeAiInference
{
    // One test per NUnit result named in `fake.results`, so that each kind of result a fixture can end with (by design
    // or by mistake) is run through the runner; none by default.
    private static IEnumerable<TestCaseData> Results() => RunContext.Current.Configuration.GetList("fake.results").Select(result =>
        result == "ignoredByAttribute" ? new TestCaseData(result).Ignore("left ignored by mistake") : new TestCaseData(result));

    [TestCaseSource(nameof(Results))]
    public void EndsAs(string result)
    {
        switch (result)
        {
            case "notApplicable": Outcome.NotApplicable("no inference gateway is installed"); break;
            case "needsAttestation": Outcome.NeedsAttestation("the gateway's vendor is unknown; attach its documentation"); break;
            case "ignored": Assert.Ignore("not finished yet"); break;
            case "inconclusive": Assert.Inconclusive("could not tell"); break;
            case "warning": Assert.Warn("the route took long to be accepted"); break;
            case "error": throw new InvalidOperationException("the gateway client crashed");
            case "failed": Assert.Fail("expected the weighted route to split traffic"); break;
        }
    }
}

[Requirement("ai_inference")]
public sealed class FakeAiInferenceSharedSetup
{
    // A fixture whose one-time setup finds its requirement does not apply, when `fake.sharedSetup` says so.
    private static IEnumerable<string> Cases() => RunContext.Current.Configuration.GetList("fake.sharedSetup");

    [OneTimeSetUp]
    public void DetectGateway()
    {
        switch (RunContext.Current.Configuration.Get("fake.sharedSetup"))
        {
            case "notApplicable": Outcome.NotApplicable("no Gateway API is served"); break;
            case "ignored": Assert.Ignore("not finished yet"); break;
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void RoutesTraffic(string setup) => Evidence.Observed("shared setup", setup);
}

[Requirement("driver_runtime_management")]
public sealed class FakeDriverRuntimeManagement
{
    // With `fake.meetingPlace` set to a folder, each of the first two tests leaves a mark there and waits for the other's
    // (or the run's stop): they can only both pass when run side by side. `fake.waitForStop` then keeps them running.
    // The test that runs alone has the last place: the runner still starts it before the others, which wait for it
    // wherever NUnit dispatches it. It is declared first: its place is its [Order], not where reflection lists it.
    [Test, Order(3)]
    [Holds(Hold.WholeNodes)]
    public void HoldsWholeNodes() => Evidence.Step("held every node");

    [Test, Order(1)]
    public Task FirstMeetsSecond() => MeetAsync("first", "second");

    [Test, Order(2)]
    public Task SecondMeetsFirst() => MeetAsync("second", "first");

    private static async Task MeetAsync(string me, string other)
    {
        var run = RunContext.Current;
        if (run.Configuration.Get("fake.meetingPlace") is not { } place) return;
        await File.WriteAllTextAsync(Path.Combine(place, me), "here", run.Cancellation);
        while (!File.Exists(Path.Combine(place, other))) await Task.Delay(20, run.Cancellation);
        Evidence.Step($"{me} met {other}");
        await File.WriteAllTextAsync(Path.Combine(place, $"{me}-met"), "met", run.Cancellation);
        if (run.Configuration.GetBool("fake.waitForStop", false)) await Task.Delay(Timeout.Infinite, run.Cancellation);
    }
}
