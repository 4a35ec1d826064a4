using AiConformance.Checklist;
using AiConformance.Suite.Framework;
using k8s;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

[NonParallelizable]
public sealed class DetectedCasesTests
{
    private sealed record Backend(string Name) : IDetected
    {
        public string Summary => $"{Name} is installed";
    }

    private int detections;

    [SetUp]
    public void Start()
    {
        detections = 0;
        NewRun();
    }

    private static void NewRun() => RunContext.Current = new RunContext
    {
        Kubernetes = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }),
        RunId = RunContext.NewRunId(),
        Checklist = ChecklistCatalog.Newest,
        Configuration = SuiteConfiguration.Empty,
    };

    [TearDown]
    public void Forget() => RunContext.Reset();

    private DetectedCases<Backend> Finding(params string[] names) => new(_ =>
    {
        detections++;
        return Task.FromResult(new Detection<Backend>([.. names.Select(name => new Backend(name))], ["queues", "pod groups"]));
    });

    [Test]
    public void EveryBackendFoundGetsACaseOfItsOwnNamedAfterIt()
    {
        var cases = Finding("Kueue", "Volcano").Cases().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(cases.Select(c => c.TestName), Is.EqualTo(new[] { "Kueue/{m}", "Volcano/{m}" }));
            Assert.That(cases.Select(c => ((Backend)c.Arguments[0]!).Name), Is.EqualTo(new[] { "Kueue", "Volcano" }));
        });
    }

    [Test]
    public void DetectionRunsOncePerRun()
    {
        var detected = Finding("Kueue");
        _ = detected.Cases().ToList();
        _ = detected.Cases().ToList();
        NewRun();
        _ = detected.Cases().ToList();

        Assert.That(detections, Is.EqualTo(2));
    }

    [Test]
    public void NothingFoundGivesOneCaseThatEndsInTheRequirementsOwnOutcome()
    {
        var detected = Finding();
        var cases = detected.Cases().ToList();

        var outcome = Assert.Throws<InconclusiveException>(() =>
            detected.Require(null, "gang scheduler", searched => Outcome.NeedsAttestation($"none; looked for {searched}")));

        Assert.Multiple(() =>
        {
            Assert.That(cases.Single().TestName, Is.EqualTo("{m}"));
            Assert.That(cases.Single().Arguments, Is.EqualTo(new object?[] { null }));
            Assert.That(outcome!.Message, Is.EqualTo("none; looked for queues; pod groups"));
        });
    }

    [Test]
    public void ADetectionThatFailsIsAFailureSayingWhy()
    {
        var detected = new DetectedCases<Backend>(_ => throw new HttpRequestException("connection refused"));

        var failure = Assert.Throws<AssertionException>(() => detected.Require(null, "gang scheduler", _ => { }));

        Assert.That(failure!.Message, Does.Contain("could not look for gang scheduler").And.Contain("connection refused"));
    }

    [Test]
    public void AFoundBackendIsReturned()
    {
        var backend = new Backend("Kueue");

        Assert.That(Finding("Kueue").Require(backend, "gang scheduler", _ => Assert.Fail("not none")), Is.SameAs(backend));
    }
}
