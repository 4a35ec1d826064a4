using AiConformance.Plugin.Cli;
using AiConformance.Plugin.Packaging.Images;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary><c>aiconformance images</c> and the image settings for mirrors and air-gapped clusters.</summary>
[TestFixture]
public sealed class ImagesTests
{
    private static (int ExitCode, string[] Images, string Notes) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = CommandLineApp.InvokeAsync(["images", .. args], output, error).GetAwaiter().GetResult();
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), error.ToString());
    }

    private static string WriteConfig(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("images-test-").FullName, "config.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Test]
    public void TheDefaultIsTheOneImageOfThisPluginVersion()
    {
        var version = typeof(CommandLineApp).Assembly.GetName().Version!;

        var (exit, images, _) = Run();

        Assert.That(exit, Is.EqualTo(0));
        Assert.That(images, Is.EquivalentTo(new[]
            {
                $"ghcr.io/ai-conformance/aiconformance:{version.Major}.{version.Minor}.{version.Build}", DefaultImages.CudaLoad,
                DefaultImages.RocmLoad, DefaultImages.ConformancePicker, DefaultImages.EndpointPicker, DefaultImages.Ray,
            }),
            "the plugin image, the CUDA sample and the ROCm TensorFlow image that load a GPU for accelerator_metrics, the inference extension's endpoint pickers and the Ray image of robust_controller's RayCluster");
        Assert.That(DefaultImages.Plugin, Is.EqualTo(images[0]), "the suite deploys the same image Sonobuoy runs");
    }

    [Test]
    public void TheRegistryOptionMovesEveryImageToTheMirror()
    {
        var (_, images, _) = Run("--image-registry", "registry.corp.internal/mirror/");

        Assert.That(images, Is.EquivalentTo(new[]
        {
            $"registry.corp.internal/mirror/ai-conformance/aiconformance:{DefaultImages.PluginVersion}",
            DefaultImages.WithRegistry(DefaultImages.CudaLoad, "registry.corp.internal/mirror/"),
            DefaultImages.WithRegistry(DefaultImages.RocmLoad, "registry.corp.internal/mirror/"),
            DefaultImages.WithRegistry(DefaultImages.Ray, "registry.corp.internal/mirror/"),
            DefaultImages.WithRegistry(DefaultImages.ConformancePicker, "registry.corp.internal/mirror/"),
            DefaultImages.WithRegistry(DefaultImages.EndpointPicker, "registry.corp.internal/mirror/"),
        }));
    }

    [Test]
    public void ConfigurationRewritesTheRegistryAndAnOverrideIsTakenAsWritten()
    {
        var config = WriteConfig("images:\n  registry: mirror.local:5000\n  probe: tools.corp/probe:7\n  pullSecrets: [regcred, other]\n");

        var (exit, images, notes) = Run("--config", config);

        Assert.That(exit, Is.EqualTo(0));
        Assert.That(images, Is.EquivalentTo(new[]
        {
            $"mirror.local:5000/ai-conformance/aiconformance:{DefaultImages.PluginVersion}", "tools.corp/probe:7",
            DefaultImages.WithRegistry(DefaultImages.CudaLoad, "mirror.local:5000"),
            DefaultImages.WithRegistry(DefaultImages.RocmLoad, "mirror.local:5000"),
            DefaultImages.WithRegistry(DefaultImages.Ray, "mirror.local:5000"),
            DefaultImages.WithRegistry(DefaultImages.ConformancePicker, "mirror.local:5000"),
            DefaultImages.WithRegistry(DefaultImages.EndpointPicker, "mirror.local:5000"),
        }));
        Assert.That(notes, Does.Contain("images.pullSecrets").And.Contain("regcred, other"));
    }

    [Test]
    public void TheOptionWinsOverTheConfigurationFile()
    {
        var config = WriteConfig("images:\n  registry: mirror.local:5000\n");

        var (_, images, _) = Run("--config", config, "--image-registry", "other.mirror");

        Assert.That(images[0], Does.StartWith("other.mirror/ai-conformance/"));
    }

    [Test]
    public void AMalformedConfigurationIsAUsageErrorWithTheFileNamed()
    {
        var config = WriteConfig("images: [unclosed\n");

        var (exit, images, notes) = Run("--config", config);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(images, Is.Empty);
        Assert.That(notes, Does.Contain(config).And.Not.Contain("   at "));
    }

    [TestCase("ghcr.io/org/app:1", "m.local/ai", "m.local/ai/org/app:1")]
    [TestCase("busybox:1.36", "m.local", "m.local/library/busybox:1.36")]
    [TestCase("nvidia/cuda:12.4.1-base", "m.local", "m.local/nvidia/cuda:12.4.1-base")]
    [TestCase("localhost:5000/x@sha256:abc", "m.local", "m.local/x@sha256:abc")]
    [TestCase("ghcr.io/org/app:1", "", "ghcr.io/org/app:1")]
    public void WithRegistryKeepsTheRepositoryPath(string image, string registry, string expected) =>
        Assert.That(DefaultImages.WithRegistry(image, registry), Is.EqualTo(expected));

    [Test]
    public void PullSecretsBecomeThePodSpecField()
    {
        var configured = new SuiteConfiguration(new Dictionary<string, string> { [DefaultImages.PullSecretsKey] = "regcred, mirror" });

        Assert.That(ProbePod.Configured("p", configured).Build().Spec.ImagePullSecrets.Select(r => r.Name), Is.EqualTo(new[] { "regcred", "mirror" }));
        Assert.That(ProbePod.Configured("p", SuiteConfiguration.Empty).Build().Spec.ImagePullSecrets, Is.Null, "no empty list on pods when none is set");
    }

    [Test]
    public void TheProbeImageFollowsTheMirrorSetting()
    {
        var configuration = new SuiteConfiguration(new Dictionary<string, string> { [DefaultImages.RegistryKey] = "m.local" });

        Assert.That(DefaultImages.Probe(configuration), Is.EqualTo($"m.local/ai-conformance/aiconformance:{DefaultImages.PluginVersion}"));
        Assert.That(ImagesCommand.List(configuration), Does.Contain(DefaultImages.Probe(configuration)), "listed as it is deployed");
    }
}
