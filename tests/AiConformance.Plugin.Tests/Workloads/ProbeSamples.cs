namespace AiConformance.Plugin.Tests.Workloads;

/// <summary>Real nvidia-smi outputs copied into TestData (see TestData/probe/PROVENANCE.md).</summary>
internal static class ProbeSamples
{
    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "probe", name));

    /// <summary>
    /// /proc/self/mountinfo of a runc container in a kubelet pod: overlay root, kubelet-managed bind mounts from the
    /// node's disk, and a projected service-account token.
    /// </summary>
    public const string RuncMountInfo =
        """
        1402 1237 0:167 / / rw,relatime master:439 - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/91/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/95/fs
        1403 1402 0:171 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
        1404 1402 0:172 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
        1410 1402 259:1 /var/lib/kubelet/pods/5f1c/etc-hosts /etc/hosts rw,relatime - ext4 /dev/nvme0n1p1 rw
        1411 1404 259:1 /var/lib/kubelet/pods/5f1c/containers/probe/7a1b /dev/termination-log rw,relatime - ext4 /dev/nvme0n1p1 rw
        1412 1402 259:1 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/ab12/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p1 rw
        1413 1402 0:160 / /var/run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw,size=3969852k
        1414 1402 259:1 /srv/my\040data /data rw,relatime - ext4 /dev/nvme0n1p1 rw
        """;

    /// <summary>/proc/self/mountinfo inside a gVisor sandbox: everything is served by the sandbox's own gofer.</summary>
    public const string GvisorMountInfo =
        """
        1 0 0:1 / / rw,relatime - 9p none rw,trans=fd,rfdno=4,wfdno=4
        2 1 0:2 / /proc rw,nosuid,nodev,noexec,relatime - proc none rw
        3 1 0:3 / /dev rw,relatime - tmpfs none rw,mode=0755
        4 1 0:1 /etc/hosts /etc/hosts rw,relatime - 9p none rw,trans=fd
        """;

    public const string ProcNetDev =
        """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
          eth0:   84210     712    0    0    0     0          0         0    39712     401    0    0    0     0       0          0
        """;
}
