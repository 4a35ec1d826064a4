using System.CommandLine;
using AiConformance.Plugin.Running;
using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Packaging.Images;

/// <summary>
/// <c>aiconformance images</c>: every image a run with the given configuration may pull, one per line on stdout (ready
/// for a mirroring loop), with the registry rewrite and per-role overrides applied. Notes go to stderr.
/// </summary>
public static class ImagesCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "YAML configuration file of the run (images.* keys)", HelpName = "FILE" };
        var registry = new Option<string?>("--image-registry")
        {
            Description = "Mirror registry that replaces every default image's registry (the images.registry setting)",
            HelpName = "REGISTRY",
        };
        var command = new Command("images",
            "List every image a run may pull (the plugin image, which plays every workload role, and any vendor image), one per line")
        {
            config, registry,
        };
        command.SetAction((parse, _) => Task.FromResult(Run(
            parse.GetValue(config), parse.GetValue(registry), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error)));
        return command;
    }

    public static int Run(string? configPath, string? registry, TextWriter output, TextWriter error)
    {
        SuiteConfiguration configuration;
        try
        {
            configuration = SuiteConfiguration.Load(configPath);
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"aiconformance images: {e.Message}");
            return ExitCodes.UsageError;
        }
        if (!string.IsNullOrWhiteSpace(registry))
        {
            configuration = new SuiteConfiguration(new Dictionary<string, string>(configuration.Values) { [DefaultImages.RegistryKey] = registry });
        }
        foreach (var image in List(configuration))
        {
            output.WriteLine(image);
        }
        var secrets = DefaultImages.PullSecrets(configuration);
        error.WriteLine(secrets.Count == 0
            ? $"# no image pull secrets set ({DefaultImages.PullSecretsKey}); the plugin's own pod uses 'sonobuoy run --image-pull-secrets'"
            : $"# image pull secrets on the suite's pods ({DefaultImages.PullSecretsKey}): {string.Join(", ", secrets)}");
        return ExitCodes.Conformant;
    }

    /// <summary>The plugin image first, then each role's image, without repeats.</summary>
    public static IReadOnlyList<string> List(SuiteConfiguration configuration) =>
        DefaultImages.All.Keys.Select(key => DefaultImages.Resolve(key, configuration))
            .Prepend(DefaultImages.PluginImage(configuration))
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
