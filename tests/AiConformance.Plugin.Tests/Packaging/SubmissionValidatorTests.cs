using NUnit.Framework;
using AiConformance.Plugin.Packaging.Submission;
using static AiConformance.Plugin.Tests.Packaging.SampleRun.Result;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary>The offline check of an AI submission folder, rule by rule, each on an otherwise valid folder.</summary>
[TestFixture]
public sealed class SubmissionValidatorTests
{
    private string work = null!;
    private string folder = null!;

    [SetUp]
    public void WriteAValidFolder()
    {
        work = Directory.CreateTempSubdirectory("validator-test-").FullName;
        var run = SampleRun.AllMustsPass()
            .With("driver_runtime_management", "Implemented", "", ("DriverVersionIsPublished", Passed))
            .With("cluster_autoscaling", "N/A", "on-premises: the node count is fixed by the hardware", ("NodesAreAddedForPendingPods", Skipped));
        var tarball = SonobuoyTarball.Write(work, new Dictionary<string, Dictionary<string, string>> { ["ai-conformance"] = run.Files() });
        var metadata = Path.Combine(work, "metadata.yaml");
        File.WriteAllText(metadata, """
            metadata:
              platformName: Turbo Encabulator
              platformVersion: "1.7"
              vendorName: Yoyodyne
              websiteUrl: https://yoyo.dyne/turbo
              documentationUrl: https://yoyo.dyne/turbo/docs
              productLogoUrl: https://yoyo.dyne/turbo.svg
              description: A Kubernetes distribution.
              contactEmailAddress: conformance@yoyo.dyne
              k8sConformanceUrl: https://github.com/cncf/k8s-conformance/tree/main/v1.35/turbo
            """);
        SubmissionCommand.Run(tarball, Path.Combine(work, "out"), metadata, TextWriter.Null, TextWriter.Null);
        folder = Path.Combine(work, "out", "ai-conformance");
    }

    [TearDown]
    public void RemoveWorkFolder() => Directory.Delete(work, recursive: true);

    private SubmissionCheck Check() => AiSubmissionValidator.Validate(folder);

    private void EditProduct(string from, string to)
    {
        var path = Path.Combine(folder, "PRODUCT.yaml");
        var text = File.ReadAllText(path);
        Assert.That(text, Does.Contain(from), "the edit must apply");
        File.WriteAllText(path, text.Replace(from, to));
    }

    private static string Messages(SubmissionCheck check) => string.Join("\n", check.Problems);

    [Test]
    public void TheValidFolderPassesAndLeavesTheNetworkLookUpsToDo()
    {
        var check = Check();

        Assert.That(check.Problems, Is.Empty, Messages(check));
        Assert.That(check.LeftToCheck, Has.Some.Contains("CNCF member").And.Some.Contains("https://yoyo.dyne/turbo/docs"));
    }

    [Test]
    public void AnyFailedTestRejectsTheWholeJUnitFile()
    {
        var path = Path.Combine(folder, "junit.xml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("</testsuite>",
            """<testcase name="TestGpuSharing/TwoPodsShareOneDevice" time="1"><failure message="no">no</failure></testcase></testsuite>"""));

        Assert.That(Messages(Check()), Does.Contain("junit.xml: has 1 failed test(s) (TestGpuSharing/TwoPodsShareOneDevice)"));
    }

    [Test]
    public void AnyFailLineRejectsTheWholeE2eLog()
    {
        File.AppendAllText(Path.Combine(folder, "e2e.log"), "--- FAIL: TestGpuSharing (1.00s)\n");

        Assert.That(Messages(Check()), Does.Contain("e2e.log: has 1 failed test(s)"));
    }

    [Test]
    public void AnE2eLogWithoutResultLinesIsRejected()
    {
        File.WriteAllText(Path.Combine(folder, "e2e.log"), "ok  \tsome/package\t1.2s\n");

        Assert.That(Messages(Check()), Does.Contain("e2e.log: holds no test results"));
    }

    [Test]
    public void AFragmentMustNameAPassedTestOrAPrefixOfPassedSubtests()
    {
        EditProduct("junit.xml#TestGangScheduling", "junit.xml#TestGangSchedulingViaKueue");

        Assert.That(Messages(Check()), Does.Contain("gang_scheduling").And.Contain("no passed test named TestGangSchedulingViaKueue"));
    }

    [Test]
    public void AFragmentNamingOneSubtestIsAccepted()
    {
        EditProduct("junit.xml#TestGangScheduling", "junit.xml#TestGangScheduling/WorksAsRequired");

        Assert.That(Check().Problems, Is.Empty);
    }

    [Test]
    public void WithoutAFragmentTheUpstreamTestNameIsRequiredForTheThreeAutomatedRequirements()
    {
        EditProduct("junit.xml#TestSecureAcceleratorAccess", "junit.xml");
        var path = Path.Combine(folder, "junit.xml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("TestSecureAcceleratorAccess/", "TestAcceleratorIsolation/"));
        File.WriteAllText(Path.Combine(folder, "e2e.log"), File.ReadAllText(Path.Combine(folder, "e2e.log")).Replace("TestSecureAcceleratorAccess", "TestAcceleratorIsolation"));

        Assert.That(Messages(Check()), Does.Contain("secure_accelerator_access").And.Contain("no passed test named TestSecureAcceleratorAccess"));
    }

    [Test]
    public void ASkippedTestUnderAnImplementedRequirementIsAnError()
    {
        var path = Path.Combine(folder, "junit.xml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("</testsuite>",
            """<testcase name="TestGangScheduling/ViaVolcano" time="0"><skipped message="no volcano" /></testcase></testsuite>"""));

        Assert.That(Messages(Check()), Does.Contain("skipped tests under TestGangScheduling while the status is Implemented"));
    }

    [Test]
    public void EvidencePathsAreRelativeToProductYamlWithFileSchemeAndVersionFolderStripped()
    {
        EditProduct("\"evidence/gang_scheduling.md\"", "\"file://v1.35/turbo/evidence/gang_scheduling.md\"");
        EditProduct("\"e2e.log\"", "\"file://e2e.log\"");

        Assert.That(Check().Problems, Is.Empty, Messages(Check()));
    }

    [Test]
    public void EvidenceLeavingTheFolderIsRefused()
    {
        EditProduct("\"evidence/gang_scheduling.md\"", "\"../../etc/passwd\"");

        Assert.That(Messages(Check()), Does.Contain("leaves the submission folder"));
    }

    [Test]
    public void EvidenceNamingAMissingFileIsAProblem()
    {
        EditProduct("\"evidence/gang_scheduling.md\"", "\"evidence/gang.md\"");

        Assert.That(Messages(Check()), Does.Contain("'evidence/gang.md' names no file"));
    }

    [Test]
    public void MetadataMustBeStringsAndNotPlaceholders()
    {
        EditProduct("platformVersion: \"1.7\"", "platformVersion: 1.7");
        EditProduct("vendorName: \"Yoyodyne\"", "vendorName: \"[Vendor Name]\"");

        var messages = Messages(Check());
        Assert.That(messages, Does.Contain("metadata.platformVersion: '1.7' is not a string").And.Contain("quote it: platformVersion: \"1.7\""));
        Assert.That(messages, Does.Contain("metadata.vendorName: is still the placeholder [Vendor Name]"));
    }

    [Test]
    public void TheK8sConformanceUrlMustNameASubmissionFolder()
    {
        EditProduct("https://github.com/cncf/k8s-conformance/tree/main/v1.35/turbo", "https://github.com/cncf/k8s-conformance/pull/1234");

        Assert.That(Messages(Check()), Does.Contain("is not a cncf/k8s-conformance submission URL"));
    }

    [Test]
    public void TheLogoMustBeAVectorFile()
    {
        EditProduct("https://yoyo.dyne/turbo.svg", "https://yoyo.dyne/turbo.png");

        Assert.That(Messages(Check()), Does.Contain("is not an .svg, .eps or .ai file"));
    }

    [Test]
    public void NotApplicableNeedsNotesAndOnlyClusterAutoscalingMayBeNotApplicableAmongMusts()
    {
        EditProduct("on-premises: the node count is fixed by the hardware", "");
        var gang = "- id: gang_scheduling";
        var text = File.ReadAllText(Path.Combine(folder, "PRODUCT.yaml"));
        var at = text.IndexOf(gang, StringComparison.Ordinal);
        var statusAt = text.IndexOf("status: \"Implemented\"", at, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "PRODUCT.yaml"), text[..statusAt] + "status: \"N/A\"" + text[(statusAt + "status: \"Implemented\"".Length)..]);

        var messages = Messages(Check());
        Assert.That(messages, Does.Contain("cluster_autoscaling: is N/A without notes"));
        Assert.That(messages, Does.Contain("gang_scheduling: is a MUST and is 'N/A'"));
        Assert.That(messages, Does.Not.Contain("cluster_autoscaling: is a MUST"));
    }

    [Test]
    public void AnUnknownStatusIsAProblem()
    {
        EditProduct("status: \"Implemented\"", "status: \"Done\"");

        Assert.That(Messages(Check()), Does.Contain("status 'Done' is not allowed"));
    }

    [Test]
    public void AShouldLeftEmptyIsSkippedButAMissingRequirementOrSectionIsNot()
    {
        Assert.That(Messages(Check()), Does.Not.Contain("gpu_sharing"), "SHOULD with empty status and evidence");

        EditProduct("- id: gpu_sharing", "- id: gpu_splitting");

        var messages = Messages(Check());
        Assert.That(messages, Does.Contain("gpu_sharing: is missing from section 'accelerators'"));
        Assert.That(messages, Does.Contain("'gpu_splitting' is not a requirement of checklist v1.35"));
    }

    [Test]
    public void AChangedDescriptionIsAProblem()
    {
        EditProduct("Support Dynamic Resource Allocation", "Supports DRA");

        Assert.That(Messages(Check()), Does.Contain("dra_support: its description or level differs from the template"));
    }
}
