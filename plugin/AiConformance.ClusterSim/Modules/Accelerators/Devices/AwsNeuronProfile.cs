using System.Text.Json.Nodes;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>
/// AWS Inferentia2 and Trainium devices as the Neuron device plugin exposes them (aws-neuron-sdk,
/// containers/tutorials/k8s-neuron-device-plugin: extended resource <c>aws.amazon.com/neuron</c>, a whole device with
/// all its NeuronCores): a container given devices sees <c>/dev/neuronN</c> for each and <c>NEURON_RT_VISIBLE_CORES</c>
/// naming their cores (two NeuronCore-v2 per Inf2/Trn1 device), which the Neuron runtime reads. The simulation has no
/// Neuron DRA driver: AWS documents that neuron-monitor does not support clusters running it, so a monitored Neuron
/// cluster uses the device plugin.
/// </summary>
public sealed class AwsNeuronProfile : IAcceleratorProfile
{
    /// <summary>NeuronCores per Inferentia2 or Trainium (Trn1) device.</summary>
    public const int CoresPerDevice = 2;

    public string Vendor => "aws-neuron";
    public string DriverName => "neuron.aws.com";
    public string ExtendedResource => "aws.amazon.com/neuron";
    public string DefaultModel => "AWS Inferentia2";
    public string DefaultMemory => "32Gi";

    public bool HasDraDriver => false;

    public IReadOnlyList<JsonObject> DeviceClasses() => [];

    public JsonObject SliceDevice(SimulatedDevice device) =>
        throw new InvalidOperationException("Neuron devices have no simulated DRA driver (the scenario loader rejects via: dra)");

    public void Expose(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> devices, bool viaDevicePlugin)
    {
        if (devices.Count == 0) return;
        foreach (var device in devices) view.WithFile($"/dev/neuron{device.Index}");
        view.WithEnvironment("NEURON_RT_VISIBLE_CORES", VisibleCores(devices));
    }

    /// <summary>The NeuronCores of a device, numbered across the node as the runtime numbers them.</summary>
    public static IEnumerable<int> Cores(SimulatedDevice device) => Enumerable.Range(device.Index * CoresPerDevice, CoresPerDevice);

    /// <summary>The cores of the devices as ranges (<c>0-1</c>, <c>0-1,4-5</c>), the form the runtime accepts.</summary>
    private static string VisibleCores(IReadOnlyList<SimulatedDevice> devices) =>
        string.Join(",", devices.OrderBy(d => d.Index).Select(d => $"{Cores(d).First()}-{Cores(d).Last()}"));
}
