using System.Runtime.CompilerServices;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Behaviours.Kubelet;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// Makes the sharing, virtualization, sandboxing and fault models usable by name in scenario files: accelerator
/// vendors <c>nvidia-mig</c>, <c>nvidia-vfio</c>, <c>nvidia-timesliced</c>, <c>nvidia-stale-attributes</c>; runtimes <c>gvisor</c> and
/// <c>runc-faulty</c>. Registered when the assembly loads, so no scenario can name them before they exist.
/// </summary>
internal static class AcceleratorAdditions
{
#pragma warning disable CA2255 // The registries are static tables of this library; filling them at load is the point.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        AcceleratorProfiles.Register(new NvidiaMigProfile());
        AcceleratorProfiles.Register(new NvidiaVfioProfile());
        AcceleratorProfiles.Register(new NvidiaTimeSlicedProfile());
        AcceleratorProfiles.Register(new MisreportingNvidiaProfile());
        ContainerRuntimes.Register(new SandboxRuntime());
        ContainerRuntimes.Register(new FaultyRuncRuntime());
    }
}
