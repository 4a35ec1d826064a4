namespace AiConformance.Workloads.Probe;

/// <summary>Parses /proc/self/mountinfo (proc(5)) and tells which mounts expose the node's own filesystem.</summary>
public static class MountInfoParser
{
    /// <summary>Directories of the node where the kubelet and container runtimes keep pod data; a mount rooted there is a host path.</summary>
    private static readonly string[] HostRuntimeDirectories =
    [
        "/var/lib/kubelet", "/var/lib/containerd", "/run/containerd", "/var/lib/docker", "/var/lib/containers",
        "/var/run/containerd", "/var/log/pods", "/var/lib/rancher", "/run/k3s", "/var/lib/k0s",
    ];

    private static readonly string[] BlockDevicePrefixes =
        ["/dev/sd", "/dev/nvme", "/dev/vd", "/dev/xvd", "/dev/hd", "/dev/mapper/", "/dev/dm-", "/dev/md", "/dev/root", "/dev/disk/"];

    public static IReadOnlyList<MountEntry> Parse(string mountinfo)
    {
        var mounts = new List<MountEntry>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 6 || separator + 2 >= fields.Length) continue;
            mounts.Add(new MountEntry(
                MountPoint: Unescape(fields[4]),
                Root: Unescape(fields[3]),
                FileSystemType: fields[separator + 1],
                Source: Unescape(fields[separator + 2])));
        }
        return mounts;
    }

    /// <summary>
    /// A mount exposes the host when its root lies in a kubelet or runtime directory of the node, or when it is a
    /// sub-path of a block device (a bind mount of a node directory). A sandbox that gives the workload its own
    /// filesystem shows neither.
    /// </summary>
    public static bool ExposesHost(MountEntry mount) =>
        HostRuntimeDirectories.Any(directory => IsUnder(mount.Root, directory)) ||
        (mount.Root != "/" && BlockDevicePrefixes.Any(prefix => mount.Source.StartsWith(prefix, StringComparison.Ordinal)));

    private static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal (\040).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            var octal = i + 3 < field.Length ? field.Substring(i + 1, 3) : "";
            if (field[i] == '\\' && octal.Length == 3 && octal.All(c => c is >= '0' and <= '7'))
            {
                text.Append((char)Convert.ToInt32(octal, 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }
}
