using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Toolkit;

public sealed class ToolkitParsingTests
{
    [TestCase("580.95.05", "580.95.5", true)]
    [TestCase("13.0", "13.0.0", true)]
    [TestCase("v1.0.0", "1.0", true)]
    [TestCase("570.124.06", "580.95.05", false)]
    [TestCase("13.0", "12.9", false)]
    [TestCase("580.95.05", null, false)]
    [TestCase("not-a-version", "not-a-version", false)]
    public void VersionsCompareByTheirNumbers(string? a, string? b, bool same) =>
        Assert.That(PublishedVersions.SameVersion(a, b), Is.EqualTo(same));

    [Test]
    public void SettingsReadNodeSelectorAndTolerations()
    {
        var settings = AcceleratorSettings.From(new SuiteConfiguration(new Dictionary<string, string>
        {
            [AcceleratorSettings.NodeSelectorKey] = "nvidia.com/gpu.present=true, pool=gpu",
            [AcceleratorSettings.TolerationsKey] = "nvidia.com/gpu:NoSchedule,dedicated=ai:NoExecute,anything",
        }));

        Assert.Multiple(() =>
        {
            Assert.That(settings.NodeSelector, Is.EquivalentTo(new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true", ["pool"] = "gpu" }));
            Assert.That(settings.Tolerations.Select(t => (t.Key, t.OperatorProperty, t.Value, t.Effect)), Is.EqualTo(new (string, string, string?, string?)[]
            {
                ("nvidia.com/gpu", "Exists", null, "NoSchedule"),
                ("dedicated", "Equal", "ai", "NoExecute"),
                ("anything", "Exists", null, null),
            }));
        });
    }

    [TestCase(AcceleratorSettings.NodeSelectorKey, "pool", "is not key=value")]
    [TestCase(AcceleratorSettings.TolerationsKey, "gpu:Sometimes", "use NoSchedule, PreferNoSchedule or NoExecute")]
    public void BadSettingsGetAMessageWithAHint(string key, string value, string hint)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            AcceleratorSettings.From(new SuiteConfiguration(new Dictionary<string, string> { [key] = value })));

        Assert.That(error!.Message, Does.Contain(key).And.Contain(hint));
    }

    [Test]
    public void DeviceClassAndExtendedResourceTogetherAreRefused()
    {
        var error = Assert.Throws<ConfigurationException>(() => AcceleratorSettings.From(new SuiteConfiguration(new Dictionary<string, string>
        {
            [AcceleratorSettings.DeviceClassKey] = "gpu.nvidia.com",
            [AcceleratorSettings.ExtendedResourceKey] = "nvidia.com/gpu",
        })));

        Assert.That(error!.Message, Does.Contain("set one"));
    }

    [Test]
    public void ProbePodRunsTheProbeWithoutASchedulerBypass()
    {
        var pod = new ProbePod
        {
            Name = "p",
            Image = DefaultImages.Plugin,
            Node = "gpu-1",
            Claims = [ProbePod.FromTemplate("accelerator", "t")],
            Containers = [new ProbeContainer { Claims = ["accelerator"] }, new ProbeContainer { Name = "other" }],
            HoldSeconds = 30,
        }.Build();

        Assert.Multiple(() =>
        {
            Assert.That(pod.Spec.NodeName, Is.Null, "nodeName would skip the scheduler and with it DRA allocation");
            Assert.That(pod.Spec.NodeSelector["kubernetes.io/hostname"], Is.EqualTo("gpu-1"));
            Assert.That(pod.Spec.Containers[0].Command, Is.EqualTo(new[] { "aiconformance", "probe", "--hold", "30" }));
            Assert.That(pod.Spec.Containers[0].Resources.Claims.Single().Name, Is.EqualTo("accelerator"));
            Assert.That(pod.Spec.Containers[1].Resources, Is.Null, "the second container asks for nothing");
            Assert.That(pod.Spec.ResourceClaims.Single().ResourceClaimTemplateName, Is.EqualTo("t"));
        });
    }
}
