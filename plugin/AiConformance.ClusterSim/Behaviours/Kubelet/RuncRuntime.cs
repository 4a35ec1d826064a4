using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>
/// An ordinary OCI runtime: the container shares the node's kernel (its /proc/version and osrelease), sees its own
/// hostname, environment, the standard /dev nodes, and exactly the accelerators it was given, exposed as the
/// vendor's driver or device plugin exposes them. Options: <c>exposeAllDevices: true</c> shows every accelerator
/// of the node (a broken isolation, for broken scenarios).
/// </summary>
public class RuncRuntime : IContainerRuntime
{
    public virtual string Name => "runc";

    /// <summary>runc's own options, which the runtimes built on it take too.</summary>
    protected static readonly IReadOnlyList<RuntimeOption> RuncOptions = [RuntimeOption.Flag("exposeAllDevices")];

    public virtual IReadOnlyList<RuntimeOption> Options => RuncOptions;

    public virtual ContainerSandbox Create(ContainerContext context)
    {
        var view = new InMemoryContainerView();
        var nodeInfo = context.Node["status"]?["nodeInfo"] as JsonObject;
        var kernel = (string?)nodeInfo?["kernelVersion"] ?? "6.8.0";
        var hostname = context.Pod["spec"]?["hostname"]?.GetValue<string>() ?? context.Pod.Name();
        view.WithFile("/proc/version", $"Linux version {kernel} (buildd@lcy02-amd64-049) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #21-Ubuntu SMP\n")
            .WithFile("/proc/sys/kernel/osrelease", kernel + "\n")
            .WithFile("/proc/sys/kernel/random/boot_id", ((string?)nodeInfo?["bootID"] ?? "") + "\n")
            .WithFile("/proc/net/dev", "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n  eth0:    1024      10    0    0    0     0          0         0      512       5    0    0    0     0       0          0\n")
            .WithFile("/proc/1/cmdline", string.Join('\0', Command(context.Container)) + "\0")
            .WithFile("/proc/self/mountinfo", MountInfo())
            .WithFile("/etc/hostname", hostname + "\n")
            .WithFile("/etc/os-release", "PRETTY_NAME=\"Ubuntu 24.04.2 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\n")
            .WithFile("/sys/class/net/eth0/address", "0a:58:0a:f4:00:05\n")
            .WithFile("/sys/class/net/lo/address", "00:00:00:00:00:00\n");
        foreach (var device in new[] { "null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts/ptmx", "shm/.keep", "mqueue/.keep" })
            view.WithFile("/dev/" + device);
        foreach (var (name, value) in context.Environment) view.WithEnvironment(name, value);

        var draDevices = context.DraDevices;
        var pluginDevices = context.DevicePluginDevices;
        if (context.RuntimeOptions.TryGetValue("exposeAllDevices", out var all) && all == "true")
        {
            draDevices = context.Cluster.Devices.OnNode(context.Node.Name()).Where(d => d.ViaDra).ToList();
            pluginDevices = context.Cluster.Devices.OnNode(context.Node.Name()).Where(d => !d.ViaDra).ToList();
        }
        foreach (var group in draDevices.Concat(pluginDevices).GroupBy(d => d.Profile))
            group.Key.Expose(view, [.. group], viaDevicePlugin: group.All(d => !d.ViaDra), context.Cluster);
        Modules.Accelerators.HostNamespaceView.Apply(view, context);
        return new ContainerSandbox(view);
    }

    internal static IReadOnlyList<string> Command(JsonObject container) =>
        [.. (container["command"] as JsonArray ?? []).Select(a => (string?)a ?? ""), .. (container["args"] as JsonArray ?? []).Select(a => (string?)a ?? "")];

    private static string MountInfo() =>
        "1401 1300 0:180 / / rw,relatime master:567 - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs\n" +
        "1402 1401 0:183 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n" +
        "1403 1401 0:184 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n" +
        "1406 1401 0:170 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n" +
        "1410 1401 259:1 /var/lib/kubelet/pods/x/etc-hosts /etc/hosts rw,relatime - ext4 /dev/root rw\n";
}
