using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Server;
using AiConformance.Plugin.Running;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// A plain `aiconformance run` through a kubeconfig of the simulated cluster (as with `sim serve`) is marked
/// SIMULATED in every output, exactly like `demo`: it can never be mistaken for a submission.
/// </summary>
[NonParallelizable]
public sealed class SimServeRunIsMarkedSimulatedTests
{
    [Test]
    public async Task RunThroughAKubeconfigOfTheSimulationSaysSimulatedEverywhere()
    {
        var work = Directory.CreateTempSubdirectory("simserve-run-").FullName;
        try
        {
            await using var host = await SimulationHost.StartAsync("reference", CancellationToken.None);
            var kubeconfig = Path.Combine(work, "plugin.kubeconfig");
            host.Server.WriteKubeconfig(kubeconfig, KubeconfigIdentity.Plugin);
            var console = new StringWriter();
            var results = Path.Combine(work, "results");

            var result = await ConformanceRun.ExecuteAsync(new RunRequest
            {
                KubeconfigPath = kubeconfig,
                Simulated = false,
                Requirements = ["driver_runtime_management"],
                OutputDirectory = results,
                Environment = new Dictionary<string, string>(),
                Output = console,
                ErrorOutput = console,
            }, CancellationToken.None);

            var checklist = File.ReadAllText(Path.Combine(results, $"AIConformance-1.35.yaml"));
            Assert.Multiple(() =>
            {
                Assert.That(result.Error, Is.Null, console.ToString());
                Assert.That(console.ToString(), Does.Contain("*** SIMULATED"), "console banner");
                Assert.That(File.ReadAllText(Path.Combine(results, "junit.xml")), Does.Contain("<property name=\"simulated\" value=\"true\" />"));
                Assert.That(checklist, Does.StartWith("# SIMULATED"), "filled checklist header");
                Assert.That(File.ReadAllText(Path.Combine(results, "summary.md")), Does.Contain("SIMULATED"));
            });
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
