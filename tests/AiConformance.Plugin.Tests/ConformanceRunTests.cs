using System.Xml.Linq;
using AiConformance.Checklist;
using AiConformance.Plugin.Results;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Tests;

/// <summary>Whole runs, in-process, of this assembly's runner fixtures against a fake API server.</summary>
public class ConformanceRunTests
{
    [Test]
    public async Task RunMapsOutcomesToChecklistStatuses()
    {
        using var fixture = new RunFixture();

        var result = await ConformanceRun.ExecuteAsync(fixture.Request(), CancellationToken.None);

        var statuses = result.Requirements.ToDictionary(r => r.Id, r => r.Status);
        Assert.Multiple(() =>
        {
            Assert.That(result.ChecklistVersion, Is.EqualTo("v1.35"), "picked from the server's v1.35.2");
            Assert.That(result.Requirements.Select(r => r.Id), Is.EqualTo(ChecklistCatalog.Find("v1.35")!.Requirements.Select(r => r.Id)));
            Assert.That(statuses["dra_support"], Is.EqualTo(RequirementStatus.Implemented));
            Assert.That(statuses["gang_scheduling"], Is.EqualTo(RequirementStatus.PartiallyImplemented));
            Assert.That(statuses["cluster_autoscaling"], Is.EqualTo(RequirementStatus.NotApplicable));
            Assert.That(statuses["accelerator_metrics"], Is.EqualTo(RequirementStatus.NeedsAttestation));
            Assert.That(statuses["gpu_sharing"], Is.EqualTo(RequirementStatus.Implemented));
            Assert.That(statuses["ai_service_metrics"], Is.EqualTo(RequirementStatus.NeedsAttestation), "no fixture: needs attestation");
            Assert.That(statuses["secure_accelerator_access"], Is.EqualTo(RequirementStatus.NotImplemented), "a failed one-time setup fails its tests");
            Assert.That(result.Tests.Single(t => t.RequirementId == "secure_accelerator_access").Message, Does.Contain("the shared workload could not be created"));
            Assert.That(result.Requirements.Single(r => r.Id == "ai_service_metrics").Notes, Does.Contain(RequirementVerdict.NoAutomatedTest),
                "a requirement without tests in the run's assembly, and not on the suite's attestation-only list, says there is no automated test");
            Assert.That(result.Requirements.Single(r => r.Id == "gang_scheduling"), Has.Property("Passed").EqualTo(1).And.Property("Failed").EqualTo(1));
            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.NotConformant));
            Assert.That(result.Tests.Select(t => t.Name), Does.Contain("TestAcceleratorResourceExposureAllocation/ClaimIsAllocated")
                .And.Contain("TestGpuSharing/SharesADevice(\"timeslicing\")")
                .And.Contain("TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit"));
            Assert.That(result.Tests.Select(t => t.RequirementId), Has.None.EqualTo("workload_sandboxing"),
                "fixtures of requirements outside v1.35 do not run");
            Assert.That(fixture.Output.ToString(), Does.Contain("PASS  TestAcceleratorResourceExposureAllocation/ClaimIsAllocated ("));
            Assert.That(fixture.Output.ToString(), Does.Match(@"FAIL  TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit \(\d+\.\d\ds\): expected no member of the too-large group to start Expected: 0 But was:  1\n"));
        });
    }

    [Test]
    public async Task JUnitReadsBackBySonobuoysRules()
    {
        using var fixture = new RunFixture();
        var result = await ConformanceRun.ExecuteAsync(fixture.Request(), CancellationToken.None);

        var suites = SonobuoyJUnit.Read(Path.Combine(result.OutputDirectory, "junit.xml"));
        var cases = suites.Single().Cases;
        Assert.Multiple(() =>
        {
            Assert.That(suites.Single().Status, Is.EqualTo("failed"));
            Assert.That(cases.Select(c => c.Name), Is.EqualTo(result.Tests.Select(t => t.Name)));
            Assert.That(cases.Select(c => c.Name), Is.Unique.And.All.Match(@"^Test[A-Za-z]+/\S+$"), "self-contained names without spaces");
            Assert.That(cases.Count(c => c.Status == "failed"), Is.EqualTo(result.Tests.Count(t => t.IsFailure)).And.EqualTo(2));
            Assert.That(cases.Count(c => c.Status == "skipped"), Is.EqualTo(result.Tests.Count(t => t.IsSkip)).And.EqualTo(2));
            Assert.That(cases.Count(c => c.Status == "passed"), Is.EqualTo(result.Tests.Count(t => t.Outcome == TestOutcome.Passed)));
            Assert.That(cases.Single(c => c.Name == "TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit").Failure, Does.Contain("expected no member of the too-large group to start"));
        });

        var document = XDocument.Load(Path.Combine(result.OutputDirectory, "junit.xml"));
        var claim = document.Descendants("testcase").Single(c => (string?)c.Attribute("name") == "TestAcceleratorResourceExposureAllocation/ClaimIsAllocated");
        var properties = claim.Element("properties")!.Elements("property").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        Assert.Multiple(() =>
        {
            Assert.That(document.Root!.Name.LocalName, Is.EqualTo("testsuites"));
            Assert.That(document.Descendants("testsuite").Count(), Is.EqualTo(1), "no nested suites");
            Assert.That(properties, Is.EquivalentTo(new Dictionary<string, string> { ["requirement"] = "dra_support", ["section"] = "accelerators", ["level"] = "MUST" }));
            Assert.That(claim.Element("system-out")!.Value, Does.Contain("- created ResourceClaim `ns-1/claim-1`"));
            var skipped = document.Descendants("testcase").Single(c => ((string)c.Attribute("name")!).StartsWith("TestAcceleratorClusterAutoscaling/", StringComparison.Ordinal));
            Assert.That((string?)skipped.Element("skipped")!.Attribute("message"), Is.EqualTo("not applicable: no cluster autoscaler is installed"));
        });
    }

    [Test]
    public async Task ReportsCoverEveryRequirement()
    {
        using var fixture = new RunFixture();
        var configPath = fixture.WriteConfig("metadata:\n  vendorName: Acme\n");
        var request = fixture.Request() with
        {
            ConfigPath = configPath,
            Environment = new Dictionary<string, string> { ["AICONFORMANCE_METADATA_PLATFORMNAME"] = "Acme AI Cloud" },
        };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);
        var directory = result.OutputDirectory;

        var checklistText = File.ReadAllText(Path.Combine(directory, "AIConformance-1.35.yaml"));
        var filled = ChecklistCatalog.Parse(checklistText);
        var stream = new YamlStream();
        stream.Load(new StringReader(checklistText));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var metadata = (YamlMappingNode)root.Children[new YamlScalarNode("metadata")];
        var dra = ((YamlSequenceNode)((YamlMappingNode)root.Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("accelerators")])
            .Children.Cast<YamlMappingNode>().Single(i => ((YamlScalarNode)i.Children[new YamlScalarNode("id")]).Value == "dra_support");
        var e2e = File.ReadAllText(Path.Combine(directory, "e2e.log"));
        var evidence = File.ReadAllText(Path.Combine(directory, "evidence", "dra_support.md"));
        var gangEvidence = File.ReadAllText(Path.Combine(directory, "evidence", "gang_scheduling.md"));
        Assert.Multiple(() =>
        {
            Assert.That(filled.Requirements, Is.EqualTo(ChecklistCatalog.Find("v1.35")!.Requirements));
            Assert.That(((YamlScalarNode)metadata.Children[new YamlScalarNode("vendorName")]).Value, Is.EqualTo("Acme"));
            Assert.That(((YamlScalarNode)metadata.Children[new YamlScalarNode("platformName")]).Value, Is.EqualTo("Acme AI Cloud"));
            Assert.That(checklistText, Does.Contain("Metadata still to fill").And.Contain("repoUrl"));
            Assert.That(((YamlScalarNode)dra.Children[new YamlScalarNode("status")]).Value, Is.EqualTo("Implemented"));
            Assert.That(((YamlSequenceNode)dra.Children[new YamlScalarNode("evidence")]).Children.Cast<YamlScalarNode>().Select(s => s.Value),
                Is.EqualTo(new[] { "evidence/dra_support.md", "junit.xml#TestAcceleratorResourceExposureAllocation", "e2e.log" }));
            Assert.That(ChecklistCatalog.Find("v1.35")!.Requirements.Select(r => Path.Combine(directory, "evidence", r.Id + ".md")), Has.All.Matches<string>(File.Exists));
            Assert.That(evidence, Does.Contain("- created ResourceClaim `ns-1/claim-1`").And.Contain("accelerator-seconds held: 2.5").And.Contain("Implemented"));
            Assert.That(gangEvidence, Does.Contain("## FakeGangScheduling: shared setup and teardown\n\n- created LocalQueue `ns-gang/shared-queue`"),
                "what a fixture records in its one-time setup reaches the evidence");
            Assert.That(e2e, Does.Contain("=== RUN   TestGangScheduling/AllMembersStartTogether\n"));
            Assert.That(e2e, Does.Contain("--- FAIL: TestGangScheduling ("));
            Assert.That(e2e, Does.Match(@"\n    --- FAIL: TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit \(\d+\.\d\ds\)\n"));
            Assert.That(e2e, Does.Match(@"\n    --- PASS: TestAcceleratorResourceExposureAllocation/ClaimIsAllocated \(\d+\.\d\ds\)\n"));
            Assert.That(e2e, Does.Contain("    --- SKIP: TestAcceleratorClusterAutoscaling/NodeGroupGrows ("));
            Assert.That(File.ReadAllText(Path.Combine(directory, "summary.md")), Does.Match(@"\| gang_scheduling \| MUST \| Partially Implemented \| 1 \| 1 \| 0 \|")
                .And.Contain("accelerator-seconds held by the tests: 2.5"));
            Assert.That(fixture.Output.ToString(), Does.Match(@"gang_scheduling\s+MUST\s+Partially Implemented\s+1\s+1\s+0"));
        });
    }

    [TestCase("dra_support", ExitCodes.Conformant)]
    [TestCase("cluster_autoscaling", ExitCodes.Conformant)]
    [TestCase("gang_scheduling", ExitCodes.NotConformant)]
    [TestCase("accelerator_metrics", ExitCodes.NotConformant)]
    [TestCase("ai_service_metrics", ExitCodes.NotConformant)]
    public async Task ExitCodeSaysWhetherEverySelectedMustIsImplemented(string requirement, int exitCode)
    {
        using var fixture = new RunFixture();
        var result = await ConformanceRun.ExecuteAsync(fixture.Request(requirement), CancellationToken.None);
        Assert.That(result.ExitCode, Is.EqualTo(exitCode));
    }

    [Test]
    public async Task AGivenClientIsUsedInsteadOfAKubeconfig()
    {
        using var fixture = new RunFixture();
        var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = $"http://127.0.0.1:{fixture.Api.Port}" });
        var request = fixture.Request("dra_support") with { KubeconfigPath = fixture.Directory.File("no-such-kubeconfig"), Kubernetes = client };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Conformant), fixture.Errors.ToString());
        Assert.That(fixture.Api.Requests.Select(r => r.Path), Does.Contain("/version"));
    }

    [Test]
    public async Task LevelFilterRunsOnlyThatLevel()
    {
        using var fixture = new RunFixture();
        var result = await ConformanceRun.ExecuteAsync(fixture.Request() with { Levels = ["SHOULD"] }, CancellationToken.None);
        Assert.That(result.Requirements.Select(r => r.Level), Has.All.EqualTo("SHOULD"));
        Assert.That(result.Tests.Select(t => t.RequirementId).Distinct(), Is.EquivalentTo(new[] { "driver_runtime_management", "gpu_sharing" }),
            "the SHOULD requirements with runner fixtures");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Conformant), "no MUST selected");
    }

    [Test]
    public async Task SimulatedRunSaysSoInEveryOutput()
    {
        using var fixture = new RunFixture();
        var result = await ConformanceRun.ExecuteAsync(
            fixture.Request("dra_support") with { Simulated = true, SimulationName = "reference" }, CancellationToken.None);
        var directory = result.OutputDirectory;
        var junit = XDocument.Load(Path.Combine(directory, "junit.xml"));
        Assert.Multiple(() =>
        {
            Assert.That(fixture.Output.ToString(), Does.StartWith("*** SIMULATED (scenario reference)"));
            Assert.That((string?)junit.Root!.Element("testsuite")!.Attribute("name"), Does.Contain("SIMULATED (scenario reference)"));
            Assert.That(junit.Descendants("property").Where(p => (string?)p.Attribute("name") == "simulated").Select(p => (string?)p.Attribute("value")), Is.EqualTo(new[] { "true" }));
            Assert.That(File.ReadAllText(Path.Combine(directory, "AIConformance-1.35.yaml")), Does.StartWith("# SIMULATED (scenario reference)")
                .And.Contain("notes: \"SIMULATED (scenario reference): ").And.Contain("description: \"SIMULATED"));
            Assert.That(File.ReadAllText(Path.Combine(directory, "summary.md")), Does.Contain("SIMULATED (scenario reference)"));
            Assert.That(File.ReadAllText(Path.Combine(directory, "e2e.log")), Does.StartWith("# SIMULATED"));
            Assert.That(File.ReadAllText(Path.Combine(directory, "evidence", "dra_support.md")), Does.Contain("SIMULATED"));
        });
    }

    [Test]
    public async Task RunsInOneProcessAreIndependent()
    {
        using var first = new RunFixture();
        using var second = new RunFixture();
        var a = await ConformanceRun.ExecuteAsync(first.Request("dra_support", "gang_scheduling"), CancellationToken.None);
        var b = await ConformanceRun.ExecuteAsync(second.Request("dra_support") with { Simulated = true }, CancellationToken.None);
        var c = await ConformanceRun.ExecuteAsync(first.Request("dra_support", "gang_scheduling") with { OutputDirectory = first.Directory.File("again") }, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(c.Requirements, Is.EqualTo(a.Requirements));
            Assert.That(c.Tests.Select(t => (t.Name, t.Outcome)), Is.EqualTo(a.Tests.Select(t => (t.Name, t.Outcome))));
            Assert.That(b.Tests.Select(t => t.Name), Is.EqualTo(new[] { "TestAcceleratorResourceExposureAllocation/ClaimIsAllocated", "TestAcceleratorResourceExposureAllocation/DeviceIsVisibleInTheContainer" }));
            Assert.That(File.ReadAllText(Path.Combine(c.OutputDirectory, "junit.xml")), Does.Not.Contain("SIMULATED"));
            Assert.That(RunIdOf(a), Is.Not.EqualTo(RunIdOf(c)));
        });
    }

    [Test]
    public async Task DeadlineInterruptsRunningTestsAndStillWritesReports()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("dra_support", "pod_autoscaling") with
        {
            ConfigPath = fixture.WriteConfig("fake:\n  waitForStop: true\n"),
            Timeout = TimeSpan.FromSeconds(1),
            CleanupGrace = TimeSpan.FromSeconds(10),
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        var waiting = result.Tests.Single(t => t.RequirementId == "pod_autoscaling");
        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)), "a test that honours cancellation ends well within the grace period");
            Assert.That(result.Interrupted, Is.True);
            Assert.That(waiting.Outcome, Is.EqualTo(TestOutcome.Error));
            Assert.That(waiting.Message, Does.StartWith("interrupted"));
            Assert.That(result.Tests.Where(t => t.RequirementId == "dra_support").Select(t => t.Outcome), Has.All.EqualTo(TestOutcome.Passed));
            Assert.That(result.Requirements.Single(r => r.Id == "pod_autoscaling").Status, Is.EqualTo(RequirementStatus.NotImplemented));
            Assert.That(SonobuoyJUnit.Read(Path.Combine(result.OutputDirectory, "junit.xml")).Single().Cases.Single(c => c.Name == waiting.Name).Failure,
                Does.Contain("interrupted"));
            Assert.That(File.Exists(Path.Combine(result.OutputDirectory, "AIConformance-1.35.yaml")));
        });
    }

    [Test]
    public async Task TestCaseSourcesSeeTheRunContextWhileTheSuiteLoads()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("virtualized_accelerator") with { ConfigPath = fixture.WriteConfig("fake:\n  vgpuProfiles: [a10, a40]\n") };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);
        Assert.That(result.Tests.Select(t => (t.Name, t.Outcome)), Is.EqualTo(new[]
        {
            ("TestVirtualizedAccelerator/ProfileIsAllocated(\"a10\")", TestOutcome.Passed),
            ("TestVirtualizedAccelerator/ProfileIsAllocated(\"a40\")", TestOutcome.Passed),
        }));
    }

    [Test]
    public async Task NoTestStartsAfterAStop()
    {
        using var fixture = new RunFixture();
        var request = fixture.Request("pod_autoscaling", "robust_controller") with
        {
            ConfigPath = fixture.WriteConfig("fake:\n  waitForStop: true\n"),
            Timeout = TimeSpan.FromSeconds(1),
        };
        var result = await ConformanceRun.ExecuteAsync(request, CancellationToken.None);

        Assert.That(result.Tests.Where(t => t.RequirementId == "robust_controller").Select(t => t.Message),
            Has.All.EqualTo("interrupted: the run was stopped before this test started"));
        Assert.That(result.Requirements.Single(r => r.Id == "robust_controller").Status, Is.EqualTo(RequirementStatus.NotImplemented));
    }

    [Test]
    public async Task StopBeforeTheTestsStartIsReportedNotThrown()
    {
        using var fixture = new RunFixture();
        var results = fixture.Directory.File("sonobuoy-results");
        var request = fixture.Request("dra_support") with
        {
            Environment = new Dictionary<string, string> { ["SONOBUOY"] = "true", ["SONOBUOY_RESULTS_DIR"] = results },
        };
        var result = await ConformanceRun.ExecuteAsync(request, new CancellationToken(canceled: true));
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.NotConformant));
        Assert.That(result.Error, Does.StartWith("interrupted"));
        Assert.That(File.Exists(Path.Combine(results, "done")), Is.True);
    }

    private static string RunIdOf(RunResult result) =>
        (string)XDocument.Load(Path.Combine(result.OutputDirectory, "junit.xml")).Descendants("property")
            .Single(p => (string?)p.Attribute("name") == "runId").Attribute("value")!;
}
