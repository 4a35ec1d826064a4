namespace AiConformance.Workloads.Probe;

/// <summary>
/// What one container sees, as <c>aiconformance probe</c> prints it (one JSON document on stdout). Fixtures read it
/// from the pod's log, so its shape is a contract between the image and the suite: add fields, never rename them.
/// </summary>
public sealed record ProbeReport
{
    public const string CurrentSchema = "aiconformance.probe/v1";

    public string Schema { get; init; } = CurrentSchema;

    public string? Hostname { get; init; }

    /// <summary>Accelerator device files present under /dev (control nodes such as nvidiactl are left out).</summary>
    public IReadOnlyList<string> DeviceFiles { get; init; } = [];

    /// <summary>The accelerator-related environment variables and their values.</summary>
    public IReadOnlyDictionary<string, string> AcceleratorEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>What <c>nvidia-smi</c> reported; null when no nvidia-smi was on PATH.</summary>
    public NvidiaSmiReport? NvidiaSmi { get; init; }

    /// <summary>
    /// For each VFIO group device the container has (<c>/dev/vfio/N</c>), the PCI addresses the kernel puts in that
    /// IOMMU group (<c>/sys/kernel/iommu_groups/N/devices</c>); an empty list when sysfs does not say.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> VfioGroups { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The accelerators this container can use, one entry per usable unit (GPU, MIG slice, device).</summary>
    public IReadOnlyList<VisibleAccelerator> Accelerators { get; init; } = [];

    public KernelIdentity Kernel { get; init; } = new();

    public IReadOnlyList<ProcessEntry> Processes { get; init; } = [];

    public IReadOnlyList<string> NetworkInterfaces { get; init; } = [];

    /// <summary>Hardware address of each interface (from /sys/class/net); names repeat across namespaces, addresses do not.</summary>
    public IReadOnlyDictionary<string, string> InterfaceAddresses { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<MountEntry> Mounts { get; init; } = [];

    /// <summary>Mounts that expose the node's own filesystem (a host block device or a kubelet / runtime directory).</summary>
    public IReadOnlyList<MountEntry> HostMounts { get; init; } = [];

    /// <summary>Whether /dev/mem (physical memory of the machine the kernel runs on) is visible.</summary>
    public bool DevMemPresent { get; init; }

    /// <summary>What the probe could not read, so that an empty field is never mistaken for "nothing there".</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}

/// <summary>How an accelerator became visible to the container.</summary>
public static class AcceleratorSource
{
    public const string NvidiaGpu = "nvidia-gpu";
    public const string NvidiaMig = "nvidia-mig";
    /// <summary>A <c>GPU_DEVICE_n</c> variable, as the DRA example driver injects it.</summary>
    public const string DraEnvironment = "dra-env";
    public const string DeviceFile = "device-file";
}

/// <summary>
/// One accelerator the container can use. <see cref="Id"/> is what identifies it on the node (GPU or MIG UUID, the
/// DRA device name the driver injected, or the device file); <see cref="PhysicalId"/> names the physical device it
/// lives on when that is known (a MIG slice's parent GPU).
/// </summary>
public sealed record VisibleAccelerator(string Source, string Id, string? PhysicalId = null, string? Product = null);

public sealed record NvidiaSmiReport
{
    public string? DriverVersion { get; init; }
    public string? CudaVersion { get; init; }
    public IReadOnlyList<NvidiaGpu> Gpus { get; init; } = [];
    /// <summary>Why nvidia-smi's output could not be used (non-zero exit, unparsable XML), else null.</summary>
    public string? Error { get; init; }
}

public sealed record NvidiaGpu
{
    public int? Index { get; init; }
    public string? Product { get; init; }
    public required string Uuid { get; init; }
    public string? PciBusId { get; init; }
    public int? MinorNumber { get; init; }
    /// <summary>Current MIG mode as nvidia-smi writes it (Enabled, Disabled, N/A); null when not reported.</summary>
    public string? MigMode { get; init; }
    public string? MemoryTotal { get; init; }
    public IReadOnlyList<NvidiaMigDevice> MigDevices { get; init; } = [];
}

public sealed record NvidiaMigDevice
{
    public required int Index { get; init; }
    /// <summary>Profile such as <c>1g.10gb</c> (from <c>nvidia-smi -L</c>).</summary>
    public string? Profile { get; init; }
    /// <summary>MIG UUID (from <c>nvidia-smi -L</c>; the XML of driver 535 does not carry it).</summary>
    public string? Uuid { get; init; }
    public int? GpuInstanceId { get; init; }
    public int? ComputeInstanceId { get; init; }
    public string? MemoryTotal { get; init; }
}

/// <summary>The kernel the container runs on: a sandbox with its own kernel differs from the node in all three.</summary>
public sealed record KernelIdentity
{
    public string? Release { get; init; }
    /// <summary>The text of /proc/version.</summary>
    public string? Version { get; init; }
    public string? BootId { get; init; }
}

public sealed record ProcessEntry(int Pid, string CommandLine);

/// <summary>One line of /proc/self/mountinfo: <see cref="Root"/> is the path inside <see cref="Source"/> that is mounted.</summary>
public sealed record MountEntry(string MountPoint, string Root, string FileSystemType, string Source);
