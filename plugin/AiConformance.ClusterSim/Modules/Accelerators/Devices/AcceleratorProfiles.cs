namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

/// <summary>The vendors the simulation knows; further profiles (other vendors, sharing modes) register here.</summary>
public static class AcceleratorProfiles
{
    private static readonly Dictionary<string, IAcceleratorProfile> Profiles = new(StringComparer.Ordinal)
    {
        ["nvidia"] = new NvidiaGpuProfile(),
        ["example"] = new ExampleGpuProfile(),
        ["amd"] = new AmdGpuProfile(),
        ["aws-neuron"] = new AwsNeuronProfile(),
    };

    public static IEnumerable<string> Vendors => Profiles.Keys;

    public static IAcceleratorProfile Get(string vendor) =>
        Profiles.TryGetValue(vendor, out var profile) ? profile : throw new ArgumentException($"no accelerator profile '{vendor}'");

    public static void Register(IAcceleratorProfile profile) => Profiles[profile.Vendor] = profile;
}
