using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Scenarios;
using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>AWS Neuron devices as the Neuron device plugin hands them to a container, and only through it.</summary>
public sealed class AwsNeuronProfileTests
{
    [Test]
    public void AContainerSeesItsDevicesFilesAndTheirCoresInNeuronRtVisibleCores()
    {
        var profile = AcceleratorProfiles.Get("aws-neuron");
        SimulatedDevice Device(int index) => new("trn-node", profile, index, profile.DeviceName(index), $"neuron-{index}", profile.DefaultModel, profile.DefaultMemory, "0000:18:00.0", false);
        var view = new InMemoryContainerView();

        profile.Expose(view, [Device(2), Device(0)], viaDevicePlugin: true);

        Assert.Multiple(() =>
        {
            Assert.That(view.List("/dev"), Is.EquivalentTo(new[] { "/dev/neuron0", "/dev/neuron2" }));
            Assert.That(view.Environment["NEURON_RT_VISIBLE_CORES"], Is.EqualTo("0-1,4-5"), "two NeuronCores per device, numbered across the node");
        });
    }

    [Test]
    public void NeuronDevicesThroughDraAreAScenarioError()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("neuron-").FullName, "bad.yaml");
        File.WriteAllText(path, "name: bad\nextends: healthy/neuron-accelerators\nnodes:\n  - name: n\n    accelerators: [{vendor: aws-neuron, count: 1, via: dra}]\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain("nodes[0].accelerators[0].via dra: vendor 'aws-neuron' is simulated with its device plugin only; use via: devicePlugin"));
    }
}
