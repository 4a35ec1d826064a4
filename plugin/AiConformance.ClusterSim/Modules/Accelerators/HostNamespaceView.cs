using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// What a container sharing the node's namespaces sees: with <c>hostPID</c> the node's processes (init, containerd,
/// the kubelet) and its own process under a host PID; with <c>hostNetwork</c> the node's interfaces and their
/// addresses. Addresses are derived from node and pod names, so every node and every pod has its own.
/// </summary>
public static class HostNamespaceView
{
    private static readonly (int Pid, string CommandLine)[] HostProcesses =
    [
        (1, "/sbin/init"),
        (412, "/lib/systemd/systemd-journald"),
        (688, "/usr/bin/containerd"),
        (731, "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/etc/kubernetes/kubelet.conf"),
        (902, "/usr/sbin/sshd -D"),
    ];

    public static void Apply(InMemoryContainerView view, ContainerContext context)
    {
        var spec = context.Pod["spec"] as JsonObject;
        var node = context.Node.Name();
        if ((bool?)spec?["hostPID"] == true)
        {
            var own = view.ReadText("/proc/1/cmdline") ?? "";
            foreach (var (pid, commandLine) in HostProcesses) view.WithFile($"/proc/{pid}/cmdline", commandLine.Replace(' ', '\0') + "\0");
            view.WithFile($"/proc/{4000 + Math.Abs(context.Pod.Name().GetHashCode(StringComparison.Ordinal) % 1000)}/cmdline", own);
        }
        if ((bool?)spec?["hostNetwork"] == true)
        {
            view.WithFile("/proc/net/dev",
                "Inter-|   Receive                                                |  Transmit\n" +
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
                "    lo: 4096 40 0 0 0 0 0 0 4096 40 0 0 0 0 0 0\n" +
                "  ens5: 9812342 70211 0 0 0 0 0 0 7211342 51211 0 0 0 0 0 0\n" +
                "  cni0: 812342 7021 0 0 0 0 0 0 711342 5121 0 0 0 0 0 0\n")
                .WithoutFile("/sys/class/net/eth0/address")
                .WithFile("/sys/class/net/lo/address", "00:00:00:00:00:00\n")
                .WithFile("/sys/class/net/ens5/address", Mac("node/" + node) + "\n")
                .WithFile("/sys/class/net/cni0/address", Mac("bridge/" + node) + "\n");
        }
    }

    /// <summary>A locally administered unicast address derived from <paramref name="seed"/>.</summary>
    public static string Mac(string seed)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        bytes[0] = (byte)((bytes[0] | 0x02) & 0xFE);
        return string.Join(":", bytes.Take(6).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
