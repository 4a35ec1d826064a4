using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours.Kubelet;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// A sandboxing runtime as gVisor (runsc) presents itself to the workload: its own kernel (release 4.4.0, its own
/// /proc/version and a boot id per sandbox), only the sandbox's processes, a filesystem served by the sandbox's gofer
/// (no mount of the node's disk) and its own network interface. Options: <c>sharesHostKernel: true</c> makes it a
/// sandbox in name only, which runs the pod like runc (for broken scenarios).
/// </summary>
public sealed class SandboxRuntime : RuncRuntime
{
    public const string RuntimeName = "gvisor";

    public override string Name => RuntimeName;

    public override IReadOnlyList<RuntimeOption> Options { get; } = [.. RuncOptions, RuntimeOption.Flag("sharesHostKernel")];

    public override ContainerSandbox Create(ContainerContext context)
    {
        var sandbox = base.Create(context);
        if (sandbox.View is not { } view) return sandbox;
        if (context.RuntimeOptions.TryGetValue("sharesHostKernel", out var shares) && shares == "true") return sandbox;

        var podUid = (string?)context.Pod["metadata"]?["uid"] ?? context.Pod.Name();
        foreach (var entry in view.List("/proc").Where(path => int.TryParse(Path.GetFileName(path), out var pid) && pid != 1))
            view.WithoutFile(entry + "/cmdline");
        view.WithFile("/proc/version", "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n")
            .WithFile("/proc/sys/kernel/osrelease", "4.4.0\n")
            .WithFile("/proc/sys/kernel/random/boot_id", SandboxBootId(podUid) + "\n")
            .WithFile("/proc/self/mountinfo",
                "1 0 0:1 / / rw,relatime - 9p none rw,trans=fd,rfdno=4,wfdno=4\n" +
                "2 1 0:2 / /proc rw,nosuid,nodev,noexec,relatime - proc none rw\n" +
                "3 1 0:3 / /dev rw,relatime - tmpfs none rw,mode=0755\n" +
                "4 1 0:4 / /sys ro,nosuid,nodev,noexec,relatime - sysfs none ro\n" +
                "5 1 0:1 /etc/hosts /etc/hosts rw,relatime - 9p none rw,trans=fd\n")
            .WithFile("/proc/net/dev",
                "Inter-|   Receive                                                |  Transmit\n" +
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
                "    lo: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" +
                "  eth0: 1024 10 0 0 0 0 0 0 512 5 0 0 0 0 0 0\n")
            .WithoutFile("/sys/class/net/ens5/address")
            .WithoutFile("/sys/class/net/cni0/address")
            .WithFile("/sys/class/net/eth0/address", HostNamespaceView.Mac("sandbox/" + podUid) + "\n")
            .WithoutFile("/dev/mem");
        return new ContainerSandbox(view);
    }

    private static string SandboxBootId(string podUid)
    {
        var mac = HostNamespaceView.Mac("boot/" + podUid).Replace(":", "", StringComparison.Ordinal);
        var more = HostNamespaceView.Mac("boot2/" + podUid).Replace(":", "", StringComparison.Ordinal);
        var hex = mac + more + mac[..8];
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
