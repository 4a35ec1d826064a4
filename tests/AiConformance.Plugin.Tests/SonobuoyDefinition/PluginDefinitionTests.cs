using AiConformance.Plugin.Cli;
using AiConformance.Plugin.Sonobuoy;
using AiConformance.Plugin.Tests.Support;
using AiConformance.Suite.Framework;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Tests.SonobuoyDefinition;

/// <summary>sonobuoy/ai-conformance.yaml: decodes as Sonobuoy's manifest, and agrees with the image and the RBAC file.</summary>
[TestFixture]
public sealed class PluginDefinitionTests
{
    private const string DefinitionPath = "sonobuoy/ai-conformance.yaml";

    private static YamlMappingNode Definition()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(RepositoryFiles.Read(DefinitionPath)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is YamlSequenceNode list && int.TryParse(key, out var index)
                ? list.Children[index]
                : ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return node;
    }

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value ?? "";

    [Test]
    public void TheDefinitionDecodesAsASonobuoyManifestWithNoUnknownKey() =>
        Assert.That(SonobuoyManifestSchema.Problems(RepositoryFiles.Read(DefinitionPath)), Is.Empty);

    [Test]
    public void SonobuoyConfigNamesAJunitJobPlugin()
    {
        var definition = Definition();
        Assert.Multiple(() =>
        {
            Assert.That(Text(definition, "sonobuoy-config", "driver"), Is.EqualTo("Job"));
            Assert.That(Text(definition, "sonobuoy-config", "plugin-name"), Is.EqualTo(SonobuoyEnvironment.PluginName));
            Assert.That(Text(definition, "sonobuoy-config", "result-format"), Is.EqualTo("junit"));
            Assert.That(Text(definition, "sonobuoy-config", "description"), Is.Not.Empty);
            Assert.That(Text(definition, "sonobuoy-config", "source-url"), Does.StartWith("https://"));
        });
    }

    [Test]
    public void TheContainerRunsTheRunCommandOfThisVersionsImageReadOnlyAndNonRoot()
    {
        var spec = At(Definition(), "spec");
        var version = typeof(CommandLineApp).Assembly.GetName().Version!;
        var commands = CommandLineApp.BuildRoot().Subcommands.Select(c => c.Name);
        Assert.Multiple(() =>
        {
            Assert.That(Text(spec, "image"), Is.EqualTo($"ghcr.io/ai-conformance/aiconformance:{version.Major}.{version.Minor}.{version.Build}"));
            Assert.That(Text(spec, "command", "0"), Is.EqualTo("aiconformance"));
            Assert.That(commands, Has.Member(Text(spec, "args", "0")));
            Assert.That(Text(spec, "securityContext", "readOnlyRootFilesystem"), Is.EqualTo("true"));
            Assert.That(Text(spec, "securityContext", "runAsNonRoot"), Is.EqualTo("true"));
            Assert.That(Text(spec, "securityContext", "allowPrivilegeEscalation"), Is.EqualTo("false"));
        });
    }

    [Test]
    public void ResultsAndAWritableTmpAreMounted()
    {
        var definition = Definition();
        var mounts = ((YamlSequenceNode)At(definition, "spec", "volumeMounts")).Children
            .ToDictionary(m => Text(m, "mountPath"), m => Text(m, "name"));
        var emptyDirs = ((YamlSequenceNode)At(definition, "extra-volumes")).Children
            .Where(v => ((YamlMappingNode)v).Children.ContainsKey(new YamlScalarNode("emptyDir")))
            .Select(v => Text(v, "name"));
        Assert.That(mounts, Does.ContainKey("/tmp/sonobuoy/results").WithValue("results"), "the volume Sonobuoy's worker reads");
        Assert.That(emptyDirs, Has.Member(mounts["/tmp"]), "HOME and TMPDIR point at /tmp; the root filesystem is read-only");
    }

    [Test]
    public void TheConfigMapHoldsTheConfigurationFileThePluginReads()
    {
        var configMap = (YamlMappingNode)At(Definition(), "config-map");
        var file = Text(configMap, SonobuoyEnvironment.ConfigFileName);

        var keys = SuiteConfiguration.ParseYaml(file, DefinitionPath);

        Assert.That(configMap.Children, Has.Count.EqualTo(1));
        Assert.That(keys, Does.ContainKey("timeouts.scale"));
        Assert.That(file, Does.Contain("AICONFORMANCE_"), "says how to set any key with --plugin-env");
    }

    [Test]
    public void ThePodRunsAsTheLeastPrivilegeServiceAccount()
    {
        var rbac = new YamlStream();
        rbac.Load(new StringReader(RepositoryFiles.Read("sonobuoy/ai-conformance-rbac.yaml")));
        var account = rbac.Documents.Select(d => (YamlMappingNode)d.RootNode).Single(d => Text(d, "kind") == "ServiceAccount");

        Assert.That(Text(Definition(), "podSpec", "serviceAccountName"), Is.EqualTo(Text(account, "metadata", "name")));
        Assert.That(Text(account, "metadata", "namespace"), Is.EqualTo("sonobuoy"));
    }

    [TestCase("result-type: junit", "sonobuoy-config.result-type")]
    [TestCase("source_url: https://example.com", "sonobuoy-config.source_url")]
    public void AKeySonobuoyWouldSilentlyIgnoreIsReported(string line, string expected)
    {
        var yaml = $"sonobuoy-config:\n  driver: Job\n  plugin-name: p\n  {line}\nspec:\n  image: i\n  name: plugin\n";

        Assert.That(SonobuoyManifestSchema.Problems(yaml), Has.Some.StartsWith(expected));
    }

    [TestCase("spec:\n  image: i\n  volumeMount: []\n", "spec.volumeMount: unknown field")]
    [TestCase("spec:\n  image: i\n  securityContext:\n    readOnlyRootFileSystem: true\n", "spec.securityContext.readOnlyRootFileSystem: unknown field")]
    [TestCase("spec:\n  image: i\npodSpec:\n  serviceAccount_name: x\n", "podSpec.serviceAccount_name: unknown field")]
    [TestCase("spec:\n  image: i\nextra-volumes:\n  - name: t\n    emptydir: {}\n", "extra-volumes[0].emptydir: unknown field")]
    [TestCase("spec:\n  image: i\nconfigmap:\n  a: b\n", "configmap: not a field")]
    public void AnUnknownKubernetesOrManifestFieldIsReported(string rest, string expected)
    {
        var yaml = "sonobuoy-config:\n  driver: Job\n  plugin-name: p\n  result-format: junit\n" + rest;

        Assert.That(SonobuoyManifestSchema.Problems(yaml), Has.Some.StartsWith(expected));
    }
}
