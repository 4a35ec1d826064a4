using System.Text.RegularExpressions;

namespace AiConformance.Workloads.Probe;

/// <summary>
/// The <c>probe</c> workload role: looks at a container through an <see cref="IContainerView"/> and reports the
/// accelerators, environment and kernel/runtime boundary it sees. It never fails on a missing file or tool; what it
/// could not read goes to <see cref="ProbeReport.Problems"/>.
/// </summary>
public sealed partial class ContainerProbe(IContainerView view)
{
    /// <summary>Environment variables through which runtimes and drivers hand accelerators to a container.</summary>
    private static readonly string[] AcceleratorEnvironmentPrefixes =
    [
        "NVIDIA_", "CUDA_", "GPU_DEVICE_", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "AMD_VISIBLE_DEVICES",
        "NEURON_RT_VISIBLE_CORES", "HABANA_VISIBLE_DEVICES", "ZE_AFFINITY_MASK", "TPU_VISIBLE_CHIPS", "TPU_CHIPS_PER",
    ];

    /// <summary>/dev/nvidia0… (not nvidiactl, nvidia-uvm, nvidia-modeset, which every GPU container shares).</summary>
    [GeneratedRegex(@"^/dev/nvidia\d+$")]
    private static partial Regex NvidiaGpuFile();

    [GeneratedRegex(@"^/dev/neuron\d+$")]
    private static partial Regex NeuronFile();

    /// <summary>Device files that stand for one accelerator each (used when no better identity is available).</summary>
    [GeneratedRegex(@"^/dev/(nvidia\d+|dri/renderD\d+|accel/accel\d+|neuron\d+|vfio/\d+)$")]
    private static partial Regex OneAcceleratorFile();

    [GeneratedRegex(@"^/dev/vfio/(?<group>\d+)$")]
    private static partial Regex VfioGroupFile();

    [GeneratedRegex(@"^GPU_DEVICE_\d+$")]
    private static partial Regex DraExampleDeviceVariable();

    public ProbeReport Run()
    {
        var problems = new List<string>();
        var deviceFiles = FindDeviceFiles();
        var environment = view.Environment
            .Where(variable => AcceleratorEnvironmentPrefixes.Any(prefix => variable.Key.StartsWith(prefix, StringComparison.Ordinal)))
            .OrderBy(variable => variable.Key, StringComparer.Ordinal)
            .ToDictionary(variable => variable.Key, variable => variable.Value);
        var nvidiaSmi = QueryNvidiaSmi();
        var mounts = ReadMounts(problems);
        var interfaces = ReadNetworkInterfaces(problems);

        return new ProbeReport
        {
            Hostname = view.ReadText("/etc/hostname")?.Trim() ?? view.Environment.GetValueOrDefault("HOSTNAME"),
            DeviceFiles = deviceFiles,
            AcceleratorEnvironment = environment,
            VfioGroups = ReadVfioGroups(deviceFiles),
            NvidiaSmi = nvidiaSmi,
            Accelerators = IdentifyAccelerators(nvidiaSmi, environment, deviceFiles),
            Kernel = new KernelIdentity
            {
                Release = Read("/proc/sys/kernel/osrelease", problems),
                Version = Read("/proc/version", problems),
                BootId = Read("/proc/sys/kernel/random/boot_id", problems),
            },
            Processes = ReadProcesses(),
            NetworkInterfaces = interfaces,
            InterfaceAddresses = interfaces
                .Select(name => (Name: name, Address: view.ReadText($"/sys/class/net/{name}/address")?.Trim()))
                .Where(entry => !string.IsNullOrEmpty(entry.Address))
                .ToDictionary(entry => entry.Name, entry => entry.Address!),
            Mounts = mounts,
            HostMounts = [.. mounts.Where(MountInfoParser.ExposesHost)],
            DevMemPresent = view.Exists("/dev/mem"),
            Problems = problems,
        };
    }

    private List<string> FindDeviceFiles()
    {
        var files = new List<string>();
        files.AddRange(view.List("/dev").Where(path => NvidiaGpuFile().IsMatch(path) || NeuronFile().IsMatch(path) || path == "/dev/kfd"));
        foreach (var directory in new[] { "/dev/dri", "/dev/accel", "/dev/vfio" })
            files.AddRange(view.List(directory));
        return [.. files.Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The devices of each VFIO group the container has, as sysfs lists them (links named by PCI address).</summary>
    private Dictionary<string, IReadOnlyList<string>> ReadVfioGroups(IReadOnlyList<string> deviceFiles) =>
        deviceFiles.Select(file => VfioGroupFile().Match(file)).Where(match => match.Success)
            .Select(match => match.Groups["group"].Value)
            .ToDictionary(group => group, group => (IReadOnlyList<string>)
                [.. view.List($"/sys/kernel/iommu_groups/{group}/devices").Select(Path.GetFileName).OfType<string>()]);

    private NvidiaSmiReport? QueryNvidiaSmi()
    {
        var list = view.Run("nvidia-smi", "-L");
        if (list is null) return null;
        var listed = list.ExitCode == 0 ? NvidiaSmiListParser.Parse(list.StandardOutput) : [];
        var errors = new List<string>();
        if (list.ExitCode != 0) errors.Add($"nvidia-smi -L exited {list.ExitCode}: {FirstLine(list)}");

        var query = view.Run("nvidia-smi", "-q", "-x");
        NvidiaSmiReport detailed = new();
        if (query is { ExitCode: 0 })
        {
            try { detailed = NvidiaSmiXmlParser.Parse(query.StandardOutput); }
            catch (FormatException error) { errors.Add(error.Message); }
        }
        else if (query is not null)
        {
            errors.Add($"nvidia-smi -q -x exited {query.ExitCode}: {FirstLine(query)}");
        }

        return detailed with
        {
            Gpus = MergeGpus(detailed.Gpus, listed),
            Error = errors.Count == 0 ? null : string.Join("; ", errors),
        };
    }

    /// <summary>
    /// The XML has the details, the list has the GPU index and the MIG UUIDs (the XML of older drivers lacks them):
    /// join them by GPU UUID, and the MIG devices by their index.
    /// </summary>
    private static IReadOnlyList<NvidiaGpu> MergeGpus(IReadOnlyList<NvidiaGpu> detailed, IReadOnlyList<NvidiaGpu> listed)
    {
        if (detailed.Count == 0) return listed;
        return [.. detailed.Select(gpu =>
        {
            var fromList = listed.FirstOrDefault(candidate => string.Equals(candidate.Uuid, gpu.Uuid, StringComparison.OrdinalIgnoreCase));
            if (fromList is null) return gpu;
            var migs = gpu.MigDevices.Count == 0
                ? fromList.MigDevices
                : [.. gpu.MigDevices.Select(mig => fromList.MigDevices.FirstOrDefault(other => other.Index == mig.Index) is { } other
                    ? mig with { Uuid = mig.Uuid ?? other.Uuid, Profile = mig.Profile ?? other.Profile }
                    : mig)];
            return gpu with { Index = gpu.Index ?? fromList.Index, Product = gpu.Product ?? fromList.Product, MigDevices = migs };
        })];
    }

    /// <summary>
    /// One entry per usable accelerator, from the most precise source available: nvidia-smi (GPU or MIG UUIDs),
    /// then the DRA example driver's GPU_DEVICE_n variables, then device files.
    /// </summary>
    private static IReadOnlyList<VisibleAccelerator> IdentifyAccelerators(
        NvidiaSmiReport? nvidiaSmi, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> deviceFiles)
    {
        if (nvidiaSmi is { Gpus.Count: > 0 })
        {
            return [.. nvidiaSmi.Gpus.SelectMany(gpu =>
                gpu.MigDevices.Any(mig => mig.Uuid is not null)
                    ? gpu.MigDevices.Where(mig => mig.Uuid is not null)
                        .Select(mig => new VisibleAccelerator(AcceleratorSource.NvidiaMig, mig.Uuid!, gpu.Uuid, mig.Profile))
                    : [new VisibleAccelerator(AcceleratorSource.NvidiaGpu, gpu.Uuid, gpu.Uuid, gpu.Product)])];
        }

        var injected = environment.Where(variable => DraExampleDeviceVariable().IsMatch(variable.Key)).ToList();
        if (injected.Count > 0)
            return [.. injected.Select(variable => new VisibleAccelerator(AcceleratorSource.DraEnvironment, variable.Value))];

        return [.. deviceFiles.Where(file => OneAcceleratorFile().IsMatch(file))
            .Select(file => new VisibleAccelerator(AcceleratorSource.DeviceFile, file))];
    }

    private IReadOnlyList<ProcessEntry> ReadProcesses()
    {
        var processes = new List<ProcessEntry>();
        foreach (var entry in view.List("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            var commandLine = view.ReadText($"/proc/{pid}/cmdline");
            if (commandLine is null) continue; // the process ended while we looked
            processes.Add(new ProcessEntry(pid, commandLine.Replace('\0', ' ').Trim()));
        }
        return [.. processes.OrderBy(process => process.Pid)];
    }

    private List<string> ReadNetworkInterfaces(List<string> problems)
    {
        var text = Read("/proc/net/dev", problems);
        if (text is null) return [];
        // Two header lines, then "  name: counters…" per interface.
        return [.. text.Split('\n').Skip(2)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Length > 0)
            .Select(parts => parts[0].Trim())];
    }

    private IReadOnlyList<MountEntry> ReadMounts(List<string> problems)
    {
        var text = Read("/proc/self/mountinfo", problems);
        return text is null ? [] : MountInfoParser.Parse(text);
    }

    private string? Read(string path, List<string> problems)
    {
        var text = view.ReadText(path);
        if (text is null) problems.Add($"cannot read {path}");
        return text?.Trim();
    }

    private static string FirstLine(CommandOutput output)
    {
        var text = output.StandardError.Trim().Length > 0 ? output.StandardError : output.StandardOutput;
        return text.Trim().Split('\n')[0];
    }
}
