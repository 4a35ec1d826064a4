using System.Text.Json.Nodes;
using AiConformance.Checklist;
using AiConformance.Plugin.Cli;
using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class CliTests
{
    private static async Task<(int Code, string Output, string Error)> Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLineApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public async Task ListJsonHasEveryRequirementOfTheTemplate()
    {
        var (code, output, _) = await Invoke("list", "--checklist", "v1.37", "--format", "json");
        var listing = JsonNode.Parse(output)!;
        var listed = listing["requirements"]!.AsArray().Select(r => ((string)r!["id"]!, (string)r["section"]!, (string)r["level"]!));
        Assert.That(code, Is.EqualTo(0));
        Assert.That((string?)listing["checklist"], Is.EqualTo("v1.37"));
        Assert.That(listed, Is.EqualTo(ChecklistCatalog.Find("v1.37")!.Requirements.Select(r => (r.Id, r.Section, r.LevelText))));
    }

    [Test]
    public async Task ListShowsEachRequirementsTests()
    {
        var (code, output, _) = await Invoke("list", "--checklist", "v1.35", "--suite-assembly", RunFixture.FixturesAssembly);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Match(@"dra_support\s+accelerators\s+MUST\s+2\n    TestAcceleratorResourceExposureAllocation/ClaimIsAllocated\n"));
        Assert.That(output, Does.Match(@"ai_service_metrics\s+observability\s+MUST\s+\(none: needs attestation\)"));
        Assert.That(output, Does.Not.Contain("OnlyInNewerChecklists"), "v1.35 has no workload_sandboxing");
    }

    [Test]
    public async Task VersionNamesTheBuildAndTheChecklists()
    {
        var (code, output, _) = await Invoke("version");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.StartWith($"aiconformance {VersionCommand.Version}\n").And.Contain("checklists: v1.33, v1.34, v1.35, v1.36, v1.37"));
    }

    [TestCase("run")]
    [TestCase("list")]
    [TestCase("version")]
    public async Task EveryCommandHasHelp(string command)
    {
        var (code, output, _) = await Invoke(command, "--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("Usage:").And.Contain(command));
        Assert.That(output, Does.Not.Contain("--suite-assembly"), "the test-only option stays hidden");
    }

    [Test]
    public void EveryCommandIsOnTheRootInHelpOrder() =>
        Assert.That(CommandLineApp.BuildRoot().Subcommands.Select(c => c.Name),
            Is.EqualTo(new[] { "run", "list", "version", "demo", "sim", "images", "submission", "probe", "serve-echo", "serve-model", "load" }));

    [TestCase("run", "--level", "MAYBE")]
    [TestCase("run", "--timeout", "soon")]
    [TestCase("run", "--no-such-option")]
    [TestCase("list", "--format", "xml")]
    [TestCase("frobnicate")]
    public async Task UsageErrorsExitTwoWithAHint(params string[] args)
    {
        var (code, _, error) = await Invoke(args);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.StartWith("error: ").And.Contain("hint: run 'aiconformance"));
    }

    [TestCase("sim serve", "sim", "serve")]
    [TestCase("sim show", "sim", "show")]
    [TestCase("run", "run", "--no-such-option")]
    [TestCase("", "frobnicate")]
    public async Task TheHintNamesTheWholeCommand(string named, params string[] args)
    {
        var (_, _, error) = await Invoke(args);
        Assert.That(error, Does.EndWith($"hint: run 'aiconformance {named}{(named.Length > 0 ? " " : "")}--help'\n"));
    }

    [TestCase("run")]
    [TestCase("demo")]
    public async Task RunAndDemoRefuseTheSameLevels(string command)
    {
        var (code, _, error) = await Invoke(command, "--level", "MAYBE");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.StartWith("error: --level 'MAYBE' is not a level; use MUST or SHOULD\n"));
    }

    [TestCase("run")]
    [TestCase("demo")]
    public void RunAndDemoAcceptTheSameLevels(string command) =>
        Assert.That(CommandLineApp.BuildRoot().Parse([command, "--level", "Must", "--level", "should"]).Errors, Is.Empty);

    [Test]
    public void RunAndDemoShareOneDefinitionOfTheirFilterOptions()
    {
        var commands = CommandLineApp.BuildRoot().Subcommands.Where(c => c.Name is "run" or "demo").ToList();
        var shared = new RunOptions().All.Select(o => (o.Name, o.Description)).ToList();
        Assert.That(commands, Has.Count.EqualTo(2));
        Assert.That(commands.Select(c => c.Options.Select(o => (o.Name, o.Description)).Intersect(shared).Count()), Has.All.EqualTo(shared.Count));
    }

    [Test]
    public async Task BadArgumentsUnderSonobuoyStillLeaveJUnitAndDone()
    {
        using var directory = new TempDirectory();
        var results = directory.File("results");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLineApp.InvokeAsync(["run", "--levle", "MUST"], output, error,
            new Dictionary<string, string> { ["SONOBUOY"] = "true", ["SONOBUOY_RESULTS_DIR"] = results });

        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(File.Exists((await File.ReadAllTextAsync(Path.Combine(results, "done"))).Trim()), Is.True);
        Assert.That(SonobuoyJUnit.Read(Path.Combine(results, "junit.xml")).Single().Cases.Single().Failure, Does.Contain("--levle"));
    }

    [Test]
    public async Task UnknownChecklistInListExitsTwo()
    {
        var (code, _, error) = await Invoke("list", "--checklist", "v1.20");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Is.EqualTo("error: unknown checklist version 'v1.20'; this build embeds v1.33, v1.34, v1.35, v1.36, v1.37\n"));
    }

    [Test]
    public async Task RunAgainstAClosedPortExitsThreeWithOneLine()
    {
        using var directory = new TempDirectory();
        var (code, _, error) = await Invoke("run", "--kubeconfig", Kubeconfigs.PointingAtClosedPort(directory.Path), "--output", directory.File("results"));
        Assert.That(code, Is.EqualTo(ExitCodes.ClusterUnreachable));
        Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: cannot reach the Kubernetes API server at https://127.0.0.1:"));
    }
}
