using NUnit.Framework;
using System.Xml.Linq;
using AiConformance.Plugin.Packaging.Submission;
using static AiConformance.Plugin.Tests.Packaging.SampleRun.Result;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary><c>aiconformance submission</c> on tarballs in the <c>sonobuoy retrieve</c> layout.</summary>
[TestFixture]
public sealed class SubmissionTests
{
    private string work = null!;

    private static readonly Dictionary<string, string> FullMetadata = new()
    {
        ["platformName"] = "Turbo Encabulator",
        ["platformVersion"] = "1.7",
        ["vendorName"] = "Yoyodyne",
        ["websiteUrl"] = "https://yoyo.dyne/turbo",
        ["documentationUrl"] = "https://yoyo.dyne/turbo/docs",
        ["productLogoUrl"] = "https://yoyo.dyne/turbo.svg",
        ["description"] = "A Kubernetes distribution for encabulating.",
        ["contactEmailAddress"] = "conformance@yoyo.dyne",
        ["k8sConformanceUrl"] = "https://github.com/cncf/k8s-conformance/tree/master/v1.35/turbo",
        ["productType"] = "distribution",
    };

    [SetUp]
    public void CreateWorkFolder() => work = Directory.CreateTempSubdirectory("submission-test-").FullName;

    [TearDown]
    public void RemoveWorkFolder() => Directory.Delete(work, recursive: true);

    /// <summary>MUSTs pass; one SHOULD fails, one is N/A with a skipped test: both stay out of junit.xml and e2e.log.</summary>
    private static SampleRun MixedRun() => SampleRun.AllMustsPass()
        .With("driver_runtime_management", "Implemented", "", ("DriverVersionIsPublished", Passed))
        .With("gpu_sharing", "Not Implemented", "time-slicing did not share", ("TwoPodsShareOneDevice", Failed))
        .With("virtualized_accelerator", "N/A", "no vGPU-capable accelerator on this platform", ("VirtualDevicesAreExposed", Skipped));

    private (int ExitCode, string Output) Submit(SampleRun run, IReadOnlyDictionary<string, string>? metadata = null, bool withE2e = true)
    {
        var plugins = new Dictionary<string, Dictionary<string, string>> { ["ai-conformance"] = run.Files() };
        if (withE2e)
        {
            plugins["e2e"] = SonobuoyTarball.E2eResults();
        }
        var tarball = SonobuoyTarball.Write(work, plugins);
        return Submit(tarball, metadata ?? FullMetadata);
    }

    private (int ExitCode, string Output) Submit(string tarball, IReadOnlyDictionary<string, string>? metadata)
    {
        string? metadataFile = null;
        if (metadata is not null)
        {
            metadataFile = Path.Combine(work, "metadata.yaml");
            File.WriteAllLines(metadataFile, metadata.Select(m => $"  {m.Key}: \"{m.Value}\"").Prepend("metadata:"));
        }
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = SubmissionCommand.Run(tarball, Path.Combine(work, "out"), metadataFile, output, error);
        return (exit, output + error.ToString());
    }

    private string Ai(string file) => Path.Combine(work, "out", "ai-conformance", file);

    private string K8s(string file) => Path.Combine(work, "out", "k8s-conformance", file);

    [Test]
    public void ConformantRunBecomesTwoSubmittableFolders()
    {
        var (exit, output) = Submit(MixedRun());

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("submittable"));
        Assert.Multiple(() =>
        {
            foreach (var file in new[] { "PRODUCT.yaml", "README.md", "e2e.log", "junit_01.xml" })
            {
                Assert.That(File.Exists(K8s(file)), Is.True, $"k8s-conformance/{file}");
            }
            foreach (var file in new[] { "PRODUCT.yaml", "README.md", "junit.xml", "e2e.log", "junit-full-run.xml", "e2e-full-run.log", "evidence/gang_scheduling.md" })
            {
                Assert.That(File.Exists(Ai(file)), Is.True, $"ai-conformance/{file}");
            }
        });
        Assert.That(File.ReadAllText(K8s("PRODUCT.yaml")), Does.Contain("vendor: \"Yoyodyne\"").And.Contain("type: \"distribution\""));
    }

    [Test]
    public void SubmissionJUnitHoldsOnlyPassedTestsOfClaimedRequirementsAndTheFullRunIsKept()
    {
        Submit(MixedRun());

        var kept = TestResultFile.ParseJUnit(File.ReadAllText(Ai("junit.xml")));
        var full = TestResultFile.ParseJUnit(File.ReadAllText(Ai("junit-full-run.xml")));
        Assert.Multiple(() =>
        {
            Assert.That(kept.Select(t => t.Verdict), Is.All.EqualTo(Verdict.Passed));
            Assert.That(kept.Select(t => t.Name), Has.Member("TestGangScheduling/WorksAsRequired").And.Member("TestAcceleratorDriverRuntimeManagement/DriverVersionIsPublished"));
            Assert.That(kept.Select(t => t.Name), Has.None.StartsWith("TestGpuSharing").And.None.StartsWith("TestVirtualizedAccelerator"));
            Assert.That(full.Select(t => t.Name), Has.Member("TestGpuSharing/TwoPodsShareOneDevice"), "the failed test is kept in the full run");
            Assert.That(kept, Has.Count.EqualTo(full.Count - 2));
        });
        var suite = XDocument.Load(Ai("junit.xml")).Descendants("testsuite").Single();
        Assert.That(((string?)suite.Attribute("failures"), (string?)suite.Attribute("tests")), Is.EqualTo(("0", kept.Count.ToString())));

        var log = TestResultFile.ParseGoTestLog(File.ReadAllText(Ai("e2e.log")));
        Assert.That(log.Select(t => t.Verdict), Is.All.EqualTo(Verdict.Passed));
        Assert.That(log.Select(t => t.Name), Has.Member("TestGangScheduling").And.Member("TestGangScheduling/NegativeControlHolds"));
        Assert.That(File.ReadAllText(Ai("README.md")), Does.Contain("junit-full-run.xml").And.Contain("e2e-full-run.log"));
    }

    [Test]
    public void ProductYamlKeepsTheTemplateTextAndCarriesStatusesEvidenceAndMetadata()
    {
        Submit(MixedRun());

        var product = ProductFile.Parse(File.ReadAllText(Ai("PRODUCT.yaml")));
        var template = AiConformance.Checklist.ChecklistCatalog.Find("1.35")!;
        Assert.Multiple(() =>
        {
            Assert.That(product.Requirements.Select(r => (r.Id, r.Description.Trim(), r.Level)),
                Is.EqualTo(template.Requirements.Select(r => (r.Id, r.Description.Trim(), r.LevelText))));
            Assert.That(product.MetadataText("vendorName"), Is.EqualTo("Yoyodyne"));
            Assert.That(product.MetadataText("k8sConformanceUrl"), Is.EqualTo(FullMetadata["k8sConformanceUrl"]));
            Assert.That(product.MetadataText("kubernetesVersion"), Is.EqualTo("v1.35"));
            var gang = product.Requirements.Single(r => r.Id == "gang_scheduling");
            Assert.That(gang.Evidence, Is.EqualTo(new[] { "evidence/gang_scheduling.md", "junit.xml#TestGangScheduling", "e2e.log" }));
            var sharing = product.Requirements.Single(r => r.Id == "gpu_sharing");
            Assert.That(sharing.Status, Is.EqualTo("Not Implemented"));
            Assert.That(sharing.Evidence, Is.EqualTo(new[] { "evidence/gpu_sharing.md", "junit-full-run.xml", "e2e-full-run.log" }),
                "an unclaimed requirement points at the complete run");
        });
    }

    [Test]
    public void AMetadataFieldTheTemplateLacksIsAddedBecauseTheValidatorRequiresIt()
    {
        var run = SampleRun.AllMustsPass("1.37");
        Assert.That(run.Checklist.MetadataFields, Does.Not.Contain("k8sConformanceUrl"), "the v1.37 template has no such field");

        var (exit, output) = Submit(run);

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(ProductFile.Parse(File.ReadAllText(Ai("PRODUCT.yaml"))).MetadataText("k8sConformanceUrl"), Is.EqualTo(FullMetadata["k8sConformanceUrl"]));
    }

    [Test]
    public void MissingMetadataBlocksSubmissionAndSaysHowToFixIt()
    {
        var (exit, output) = Submit(MixedRun(), new Dictionary<string, string>());

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("metadata.vendorName").And.Contain("fix:").And.Contain("--metadata"));
        Assert.That(output, Does.Contain("k8s-conformance/PRODUCT.yaml vendor"));
    }

    [Test]
    public void AFailedMustBlocksSubmission()
    {
        var run = MixedRun().With("gang_scheduling", "Partially Implemented", "one gang split", ("WorksAsRequired", Passed), ("NegativeControlHolds", Failed));

        var (exit, output) = Submit(run);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("gang_scheduling: is a MUST and is 'Partially Implemented'"));
        Assert.That(TestResultFile.ParseJUnit(File.ReadAllText(Ai("junit.xml"))).Select(t => t.Verdict), Is.All.EqualTo(Verdict.Passed),
            "even then junit.xml holds no failed test");
    }

    [Test]
    public void AttestationLeftEmptyOnAMustBlocksSubmission()
    {
        var (exit, output) = Submit(MixedRun().With("ai_inference", "", "needs attestation: unknown gateway", ("RoutesByHeader", Skipped)));

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("ai_inference: has no status"));
    }

    [Test]
    public void AnUndecidedShouldIsSubmittedUnansweredWithItsNotes()
    {
        var run = MixedRun().With("gpu_sharing", "", "needs attestation: time-slicing is configured outside the cluster", ("TwoPodsShareOneDevice", Skipped));

        var (exit, output) = Submit(run);

        Assert.That(exit, Is.EqualTo(0), output);
        var sharing = ProductFile.Parse(File.ReadAllText(Ai("PRODUCT.yaml"))).Requirements.Single(r => r.Id == "gpu_sharing");
        Assert.That((sharing.Status, sharing.Evidence.Count, sharing.Notes), Is.EqualTo(("", 0, "needs attestation: time-slicing is configured outside the cluster")));
    }

    [Test]
    public void ASimulatedRunIsNeverSubmittable()
    {
        var (exit, output) = Submit(new SampleRun { Simulated = true }.With("gang_scheduling", "Implemented", "", ("WorksAsRequired", Passed)));

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("simulated cluster"));
    }

    [Test]
    public void WithoutTheE2ePluginTheAiFolderIsStillWrittenAndTheGapReported()
    {
        var (exit, output) = Submit(MixedRun(), withE2e: false);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("no e2e plugin results").And.Contain("--plugin e2e"));
        Assert.That(File.Exists(Ai("PRODUCT.yaml")), Is.True);
    }

    [Test]
    public void FailedStandardConformanceTestsBlockSubmission()
    {
        var plugins = new Dictionary<string, Dictionary<string, string>>
        {
            ["ai-conformance"] = MixedRun().Files(),
            ["e2e"] = SonobuoyTarball.E2eResults(failedConformanceTests: 2),
        };

        var (exit, output) = Submit(SonobuoyTarball.Write(work, plugins), FullMetadata);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("2 conformance test(s) failed"));
    }

    [Test]
    public void ResultsHandedOverAsTheirOwnTarballUnderATopFolderAreRead()
    {
        var packed = SonobuoyTarball.PackedResults(MixedRun().Files());
        var plugins = new Dictionary<string, Dictionary<string, byte[]>>
        {
            ["ai-conformance"] = new() { ["ai-conformance-results.tar.gz"] = packed },
            ["e2e"] = SonobuoyTarball.E2eResults().ToDictionary(f => f.Key, f => System.Text.Encoding.UTF8.GetBytes(f.Value)),
        };

        var (exit, output) = Submit(SonobuoyTarball.WriteBytes(work, plugins, topFolder: "202601010000_sonobuoy_0b1c2d3e/"), FullMetadata);

        Assert.That(exit, Is.EqualTo(0), output);
    }

    [Test]
    public void ATarballWithoutTheAiPluginIsAnInputErrorWithAHint()
    {
        var tarball = SonobuoyTarball.Write(work, new Dictionary<string, Dictionary<string, string>> { ["e2e"] = SonobuoyTarball.E2eResults() });

        var (exit, output) = Submit(tarball, FullMetadata);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Does.Contain("no AI conformance results").And.Contain("--plugin sonobuoy/ai-conformance.yaml"));
    }

    [Test]
    public void AFileThatIsNotATarballIsAnInputError()
    {
        var file = Path.Combine(work, "results.tar.gz");
        File.WriteAllText(file, "not a tarball");

        var (exit, output) = Submit(file, FullMetadata);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Does.Contain("not a gzipped tar file").And.Not.Contain("   at "));
    }

    [Test]
    public void AMalformedRunJUnitIsAnInputError()
    {
        var files = MixedRun().Files();
        files["junit.xml"] = "<testsuites><testsuite>";

        var (exit, output) = Submit(SonobuoyTarball.Write(work, new Dictionary<string, Dictionary<string, string>> { ["ai-conformance"] = files }), FullMetadata);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Does.Contain("junit.xml is not well-formed XML").And.Not.Contain("   at "));
    }

    [Test]
    public void AnEvidencePathLeavingTheFolderIsNotWritten()
    {
        var files = MixedRun().Files();
        files["evidence/../../../escaped.md"] = "outside";

        var (exit, output) = Submit(SonobuoyTarball.Write(work, new Dictionary<string, Dictionary<string, string>> { ["ai-conformance"] = files }), FullMetadata);

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(Directory.EnumerateFiles(work, "escaped.md", SearchOption.AllDirectories), Is.Empty);
        Assert.That(File.Exists(Ai("evidence/gang_scheduling.md")), Is.True);
    }

    [Test]
    public void AnUnknownMetadataKeyIsAnInputError()
    {
        var (exit, output) = Submit(MixedRun(), new Dictionary<string, string> { ["vendor"] = "Yoyodyne" });

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Does.Contain("unknown metadata key 'metadata.vendor'").And.Contain("vendorName"));
    }
}
