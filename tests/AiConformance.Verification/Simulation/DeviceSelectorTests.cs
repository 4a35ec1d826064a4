using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

public sealed class DeviceSelectorTests
{
    private static readonly DeviceFacts NvidiaGpu = new("gpu.nvidia.com",
        JsonNode.Parse("""{"type":{"string":"gpu"},"index":{"int":3},"driverVersion":{"version":"580.95.5"},"resource.kubernetes.io/pciBusID":{"string":"0000:38:00.0"}}""")!.AsObject(),
        JsonNode.Parse("""{"memory":{"value":"80Gi"}}""")!.AsObject());

    [TestCase("device.driver == 'gpu.nvidia.com'", true)]
    [TestCase("device.driver == 'gpu.example.com'", false)]
    [TestCase("device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'", true)]
    [TestCase("device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'", false)]
    [TestCase("device.attributes[\"gpu.nvidia.com\"].index >= 2 || false", true)]
    [TestCase("!(device.attributes['gpu.nvidia.com'].index == 3)", false)]
    [TestCase("device.attributes['resource.kubernetes.io'].pciBusID == '0000:38:00.0'", true)]
    [TestCase("device.attributes['gpu.nvidia.com'].driverVersion >= '550.0.0'", true)]
    [TestCase("device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0", true)]
    [TestCase("device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('100Gi')) >= 0", false)]
    [TestCase("device.attributes['gpu.nvidia.com'].productName == 'x'", false)]
    public void TheSubsetRealDriversUseIsEvaluated(string expression, bool expected) =>
        Assert.That(DeviceSelector.Parse(expression).Matches(NvidiaGpu), Is.EqualTo(expected), expression);

    [TestCase("device.attributes['gpu.nvidia.com'].productName.startsWith('NVIDIA')")]
    [TestCase("size(device.attributes) > 0")]
    [TestCase("device.driver in ['a', 'b']")]
    [TestCase("device.foo == 'x'")]
    public void OtherCelIsRefusedWithWhatIsSupported(string expression)
    {
        var error = Assert.Throws<UnsupportedCelException>(() => DeviceSelector.Parse(expression))!;
        Assert.That(error.Message, Does.Contain(expression).And.Contain("Supported:"));
    }
}
