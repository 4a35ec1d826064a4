using AiConformance.Plugin.Running;
using AiConformance.Plugin.Tests.RunnerFixtures;

namespace AiConformance.Plugin.Tests.Support;

/// <summary>A fake API server, a temporary folder and a run request aimed at the runner fixtures of this assembly.</summary>
public sealed class RunFixture : IDisposable
{
    public RunFixture(string gitVersion = "v1.35.2")
    {
        Api = new FakeApiServer(gitVersion);
        Kubeconfig = Api.WriteKubeconfig(Directory.Path);
    }

    public TempDirectory Directory { get; } = new();
    public FakeApiServer Api { get; }
    public string Kubeconfig { get; }
    public StringWriter Output { get; } = new();
    public StringWriter Errors { get; } = new();

    public string Results => Directory.File("results");

    public static string FixturesAssembly => typeof(FakeDraSupport).Assembly.Location;

    public RunRequest Request(params string[] requirements) => new()
    {
        KubeconfigPath = Kubeconfig,
        OutputDirectory = Results,
        Requirements = requirements,
        SuiteAssemblyPath = FixturesAssembly,
        Environment = new Dictionary<string, string>(),
        Output = Output,
        ErrorOutput = Errors,
    };

    public string WriteConfig(string yaml)
    {
        var path = Directory.File($"config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose()
    {
        Api.Dispose();
        Directory.Dispose();
    }
}
