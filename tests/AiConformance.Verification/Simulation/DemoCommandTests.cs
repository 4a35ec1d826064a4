using AiConformance.Plugin.Cli;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>`aiconformance demo` as a user runs it: with their own scenario file, and with a malformed one.</summary>
[NonParallelizable]
public sealed class DemoCommandTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("demo-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task ADemoOnOnesOwnScenarioWritesReportsMarkedSimulated()
    {
        var scenario = Path.Combine(directory, "mine.yaml");
        await File.WriteAllTextAsync(scenario, "extends: reference\nname: mine\nlatencies: {podStart: 5ms}\n");
        var results = Path.Combine(directory, "results");
        var output = new StringWriter();
        var code = await CommandLineApp.InvokeAsync(
            ["demo", "--scenario", scenario, "--output", results, "--requirement", "driver_runtime_management"], output, output, new Dictionary<string, string>());

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, output.ToString());
            Assert.That(output.ToString(), Does.Contain("SIMULATED (scenario mine)"));
            Assert.That(File.ReadAllText(Path.Combine(results, "junit.xml")), Does.Contain("SIMULATED"));
            Assert.That(Directory.GetFiles(results, "AIConformance-*.yaml").Select(File.ReadAllText).Single(), Does.Contain("SIMULATED"));
        });
    }

    [Test]
    public async Task AMalformedScenarioIsOneLineWithFileAndLineAndExitCode2()
    {
        var scenario = Path.Combine(directory, "bad.yaml");
        await File.WriteAllTextAsync(scenario, "name: bad\nnodes:\n  - name: a\n    acelerators: []\n");
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await CommandLineApp.InvokeAsync(["demo", "--scenario", scenario], output, errors, new Dictionary<string, string>());

        Assert.That(code, Is.EqualTo(2));
        Assert.That(errors.ToString().Trim(), Is.EqualTo($"error: {scenario}:4:5: unknown field 'acelerators' in a node group (fields are camelCase; see docs/scenarios.md)"));
    }
}
