using AiConformance.Plugin.Tests.Support;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>Under `dotnet test` the Suite builds its run context from the environment on first use.</summary>
[NonParallelizable]
public class RunContextFromEnvironmentTests
{
    [TestCase(null, "v1.35")]
    [TestCase("v1.34", "v1.34")]
    public void ContextComesFromKubeconfigConfigurationFileAndChecklistVariable(string? checklist, string expected)
    {
        using var fixture = new RunFixture("v1.35.2");
        var config = fixture.WriteConfig("accelerator:\n  deviceClass: gpu.example.com\n");
        using var environment = new EnvironmentScope(new Dictionary<string, string?>
        {
            ["KUBECONFIG"] = fixture.Kubeconfig,
            [SuiteConfiguration.FileVariable] = config,
            ["AICONFORMANCE_CHECKLIST_VERSION"] = checklist,
            ["AICONFORMANCE_TIMEOUTS_SCALE"] = "3",
        });
        RunContext.Reset();
        try
        {
            var context = RunContext.Current;
            Assert.Multiple(() =>
            {
                Assert.That(context.Checklist.Version, Is.EqualTo(expected));
                Assert.That(context.Configuration.Get("accelerator.deviceClass"), Is.EqualTo("gpu.example.com"));
                Assert.That(context.Configuration.GetDouble("timeouts.scale", 1), Is.EqualTo(3));
                Assert.That(context.Kubernetes.BaseUri.Port, Is.EqualTo(fixture.Api.Port));
                Assert.That(context.RunId, Does.Match("^[0-9a-f]{8}$"));
                Assert.That(RunContext.Current, Is.SameAs(context), "built once");
            });
        }
        finally
        {
            RunContext.Reset();
        }
    }

    /// <summary>Sets process environment variables and puts the old values back on dispose.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> saved = new();

        public EnvironmentScope(IReadOnlyDictionary<string, string?> values)
        {
            foreach (var (name, value) in values)
            {
                saved[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
