using System.Collections;
using AiConformance.Plugin.Tests.Support;
using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

public class SuiteConfigurationTests
{
    private static SuiteConfiguration Load(string yaml, IDictionary? environment = null)
    {
        using var directory = new TempDirectory();
        var path = directory.File("ai-conformance.yaml");
        File.WriteAllText(path, yaml);
        return SuiteConfiguration.Load(path, environment ?? new Hashtable());
    }

    [Test]
    public void NestedMapsBecomeDottedKeys()
    {
        var configuration = Load("""
            accelerator:
              deviceClass: gpu.example.com
              count: 2
            gang:
              schedulers: [kueue, volcano]
            metadata:
              vendorName: Acme
            """);
        Assert.Multiple(() =>
        {
            Assert.That(configuration.Get("accelerator.deviceClass"), Is.EqualTo("gpu.example.com"));
            Assert.That(configuration.Get("ACCELERATOR.DEVICECLASS"), Is.EqualTo("gpu.example.com"), "keys are case-insensitive");
            Assert.That(configuration.GetInt("accelerator.count", 0), Is.EqualTo(2));
            Assert.That(configuration.GetList("gang.schedulers"), Is.EqualTo(new[] { "kueue", "volcano" }));
            Assert.That(configuration.Get("metadata.vendorName"), Is.EqualTo("Acme"));
            Assert.That(configuration.Get("absent"), Is.Null);
        });
    }

    [Test]
    public void EnvironmentOverridesTheFile()
    {
        var environment = new Hashtable
        {
            ["AICONFORMANCE_ACCELERATOR_DEVICECLASS"] = "other.example.com",
            ["AICONFORMANCE_TIMEOUTS_SCALE"] = "2.5",
            ["AICONFORMANCE_NEW_KEY"] = "x",
            ["UNRELATED_ACCELERATOR_DEVICECLASS"] = "ignored",
        };
        var configuration = Load("accelerator:\n  deviceClass: gpu.example.com\n", environment);
        Assert.Multiple(() =>
        {
            Assert.That(configuration.Get("accelerator.deviceClass"), Is.EqualTo("other.example.com"));
            Assert.That(configuration.Values.Keys, Does.Contain("accelerator.deviceClass"), "matched to the file's spelling");
            Assert.That(configuration.Values.Keys, Does.Contain("timeouts.scale"), "matched to a framework key");
            Assert.That(configuration.GetDouble("timeouts.scale", 1), Is.EqualTo(2.5));
            Assert.That(configuration.Values.Keys, Does.Contain("new.key"), "unknown keys are lower-cased");
        });
    }

    [Test]
    public void MalformedYamlNamesFileAndLine()
    {
        using var directory = new TempDirectory();
        var path = directory.File("bad.yaml");
        File.WriteAllText(path, "accelerator:\n  deviceClass: [unclosed\n  other: 1\n");
        var error = Assert.Throws<ConfigurationException>(() => SuiteConfiguration.Load(path, new Hashtable()))!;
        Assert.That(error.Message, Does.Match($@"^{System.Text.RegularExpressions.Regex.Escape(path)}:\d+:\d+: malformed YAML"));
        Assert.That(error.Message, Does.Not.Contain("   at "));
    }

    [Test]
    public void ATopLevelListIsRejected()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("- a\n- b\n"))!;
        Assert.That(error.Message, Does.Contain("map of keys"));
    }

    [Test]
    public void MissingFileIsAConfigurationError() =>
        Assert.That(() => SuiteConfiguration.Load("/nonexistent/ai-conformance.yaml", new Hashtable()),
            Throws.TypeOf<ConfigurationException>().With.Message.Contains("/nonexistent/ai-conformance.yaml"));

    [Test]
    public void TypedGettersRejectBadValuesNamingTheKey()
    {
        var configuration = new SuiteConfiguration(new Dictionary<string, string> { ["a.count"] = "many", ["a.flag"] = "perhaps", ["a.wait"] = "soon" });
        Assert.Multiple(() =>
        {
            Assert.That(() => configuration.GetInt("a.count", 1), Throws.TypeOf<ConfigurationException>().With.Message.Contains("a.count"));
            Assert.That(() => configuration.GetBool("a.flag", true), Throws.TypeOf<ConfigurationException>().With.Message.Contains("a.flag"));
            Assert.That(() => configuration.GetDuration("a.wait", TimeSpan.Zero), Throws.TypeOf<ConfigurationException>().With.Message.Contains("a.wait"));
        });
    }

    [TestCase("90", 90)]
    [TestCase("30s", 30)]
    [TestCase("5m", 300)]
    [TestCase("1.5h", 5400)]
    [TestCase("500ms", 0.5)]
    public void DurationsReadWithUnits(string text, double seconds) =>
        Assert.That(SuiteConfiguration.ParseDuration(text), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [Test]
    public void TimeoutsScaleWithTheConfiguration()
    {
        var scaled = Timeouts.From(new SuiteConfiguration(new Dictionary<string, string> { ["timeouts.scale"] = "2" }));
        Assert.That(scaled.PodRunning, Is.EqualTo(new Timeouts().PodRunning * 2));
        Assert.That(() => Timeouts.From(new SuiteConfiguration(new Dictionary<string, string> { ["timeouts.scale"] = "0" })),
            Throws.TypeOf<ConfigurationException>());
    }
}
