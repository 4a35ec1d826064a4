using System.Runtime.CompilerServices;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;

namespace AiConformance.ClusterSim.Modules.Networks;

/// <summary>Makes the NIC vendor <c>dranet</c> usable in scenario files, registered when the assembly loads.</summary>
internal static class NetworkAdditions
{
#pragma warning disable CA2255 // The registry is a static table of this library; filling it at load is the point.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => AcceleratorProfiles.Register(new DranetNicProfile());
}
