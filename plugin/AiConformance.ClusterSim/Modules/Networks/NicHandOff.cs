using System.Globalization;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Networks;

/// <summary>
/// The <c>dranet</c> component: DRANET's runtime hook (an NRI plugin on each node), which, when a pod's sandbox is
/// created, moves each NIC allocated to the pod into the pod's network namespace with the name and hardware address
/// the driver published. Its ResourceSlices come from <c>dra-drivers</c> like any DRA driver's; without this
/// component a claimed NIC is allocated but never appears in the pod. Options: <see cref="NicHandOffOptions"/>.
/// </summary>
public sealed class NicHandOff(NicHandOffOptions options)
{
    public const string ComponentName = "dranet";

    /// <summary>The hand-off of the cluster, or null when the scenario does not run DRANET's hook.</summary>
    public static NicHandOff? In(SimulatedCluster cluster) =>
        cluster.Component(ComponentName) is not null ? new NicHandOff(cluster.Options<NicHandOffOptions>(ComponentName)) : null;

    public void MoveInto(InMemoryContainerView view, IReadOnlyList<SimulatedDevice> nics)
    {
        foreach (var nic in nics.Where(_ => options.Fault.MovesInterfaces))
        {
            var name = DranetNicProfile.InterfaceName(nic.Index);
            var counters = view.ReadText("/proc/net/dev") ?? "";
            view.WithFile("/proc/net/dev", counters + string.Create(CultureInfo.InvariantCulture, $"{name,6}:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"))
                .WithFile($"/sys/class/net/{name}/address", DranetNicProfile.HardwareAddress(nic) + "\n");
        }
    }
}

/// <summary>The component's run loop has nothing to do: the hook acts when the kubelet creates a pod's sandbox.</summary>
public sealed class NicHandOffBehaviour : IClusterBehaviour
{
    public string Name => NicHandOff.ComponentName;

    public Task RunAsync(SimulatedCluster cluster, CancellationToken cancellationToken) => Task.CompletedTask;
}
