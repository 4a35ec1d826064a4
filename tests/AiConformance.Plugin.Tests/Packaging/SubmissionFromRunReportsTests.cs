using System.Formats.Tar;
using System.IO.Compression;
using AiConformance.Checklist;
using AiConformance.Plugin.Packaging.Submission;
using AiConformance.Plugin.Reports;
using AiConformance.Plugin.Results;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary>
/// The submission made from the reports the runner really writes (ReportWriter), handed over as the runner hands them
/// to Sonobuoy (ResultsArchive: a tar.gz named in <c>done</c>), so a change of the report format cannot go unnoticed.
/// </summary>
[TestFixture]
public sealed class SubmissionFromRunReportsTests
{
    private string work = null!;

    [SetUp]
    public void CreateWorkFolder() => work = Directory.CreateTempSubdirectory("submission-reports-test-").FullName;

    [TearDown]
    public void RemoveWorkFolder() => Directory.Delete(work, recursive: true);

    private static RequirementReport Report(Requirement requirement, params TestRecord[] tests)
    {
        var (status, notes) = RequirementVerdict.Decide(tests);
        return new RequirementReport(requirement, status, notes, tests);
    }

    private static TestRecord Test(Requirement requirement, string behaviour, TestOutcome outcome) =>
        new(TestNames.ForTest(requirement.Id, behaviour), requirement.Id, outcome, outcome == TestOutcome.Passed ? "" : "expected 2, saw 1")
        {
            Duration = TimeSpan.FromSeconds(2),
            Output = "created pod probe-a; observed Running",
        };

    [Test]
    public void TheRunnersReportsBecomeASubmittableAiFolder()
    {
        var checklist = ChecklistCatalog.Find("1.35")!;
        var reports = checklist.Requirements.Select(r => r.Level == RequirementLevel.Must
                ? Report(r, Test(r, "WorksAsRequired", TestOutcome.Passed), Test(r, "NegativeControlHolds", TestOutcome.Passed))
                : r.Id == "gpu_sharing"
                    ? Report(r, Test(r, "TwoPodsShareOneDevice", TestOutcome.Failed))
                    : Report(r, Test(r, "VirtualDevicesAreExposed", TestOutcome.NotApplicable)))
            .ToList();
        var report = new RunReport
        {
            Checklist = checklist,
            Requirements = reports,
            RunId = "run-1",
            ServerVersion = "v1.35.2",
            Started = DateTimeOffset.UtcNow,
            Metadata = new Dictionary<string, string>
            {
                ["platformName"] = "Turbo Encabulator", ["platformVersion"] = "1.7", ["vendorName"] = "Yoyodyne",
                ["websiteUrl"] = "https://yoyo.dyne", ["documentationUrl"] = "https://yoyo.dyne/docs",
                ["productLogoUrl"] = "https://yoyo.dyne/logo.svg", ["description"] = "A distribution.",
                ["contactEmailAddress"] = "c@yoyo.dyne", ["k8sConformanceUrl"] = "https://github.com/cncf/k8s-conformance/tree/master/v1.35/turbo",
            },
        };
        var results = Path.Combine(work, "results");
        ReportWriter.WriteAll(results, report);
        var handedOver = File.ReadAllBytes(Sonobuoy.ResultsArchive.WriteArchiveAndDone(results));
        var tarball = SonobuoyTarball.WriteBytes(work, new Dictionary<string, Dictionary<string, byte[]>>
        {
            ["ai-conformance"] = new() { [Sonobuoy.ResultsArchive.ArchiveName] = handedOver },
            ["e2e"] = SonobuoyTarball.E2eResults().ToDictionary(f => f.Key, f => System.Text.Encoding.UTF8.GetBytes(f.Value)),
        });

        var output = new StringWriter();
        var exit = SubmissionCommand.Run(tarball, Path.Combine(work, "out"), null, output, output);

        var ai = Path.Combine(work, "out", "ai-conformance");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output.ToString(), Does.Contain("1 problem(s)").And.Contain("k8s-conformance/PRODUCT.yaml type"),
            "the run's metadata serves both folders; only the k8s-conformance product type is left to give");
        Assert.That(TestResultFile.ParseGoTestLog(File.ReadAllText(Path.Combine(ai, "e2e.log"))).Select(t => t.Verdict), Is.All.EqualTo(Verdict.Passed));
        Assert.That(File.ReadAllText(Path.Combine(ai, "e2e-full-run.log")), Does.Contain("--- FAIL: TestGpuSharing/TwoPodsShareOneDevice"));
        Assert.That(AiSubmissionValidator.Validate(ai).Problems, Is.Empty);
    }
}
