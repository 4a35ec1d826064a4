using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Suite.Accelerators;

/// <summary>
/// driver_runtime_management (KAR-0001): every accelerator node publishes its driver and runtime versions in a
/// verifiable way (DRA attributes or node labels), and that publication matches what a workload on the node sees.
/// Every kind of accelerator counts (each DRA driver's devices, each device-plugin resource), not only the one the
/// other fixtures use: a stale version on a MIG or time-sliced node is as wrong as one on a whole-GPU node.
/// </summary>
[Requirement("driver_runtime_management")]
public sealed class DriverRuntimeManagement
{
    private static RunContext Run => RunContext.Current;

    /// <summary>What a probe on one node of one kind saw, beside what the node publishes for that kind.</summary>
    private sealed record Reading(AcceleratorKind Kind, string Node, PublishedVersions Published, ProbeReport Report);

    [Test]
    [Description("KAR-0001 'How we might test it': the platform's verifiable mechanism (labels, annotations or DRA attributes) gives the driver version of every node with accelerators, of every kind")]
    public async Task EveryAcceleratorNodePublishesItsDriverVersion()
    {
        var (kinds, inventory) = await RequireKindsAsync();
        var published = kinds.Where(kind => !kind.Passthrough)
            .SelectMany(kind => kind.Nodes.Select(node => (Kind: kind, Node: node, Versions: Published(kind, node, inventory)))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(published.Where(entry => entry.Versions.Driver is null).Select(entry => $"{entry.Node} ({entry.Kind.Name})"), Is.Empty,
                "accelerator nodes that publish no driver version (DRA attribute driverVersion or a feature-discovery label)");
            Assert.That(published.Where(entry => entry.Versions.Driver?.Contains(" | ", StringComparison.Ordinal) == true).Select(entry => $"{entry.Node} ({entry.Kind.Name})"), Is.Empty,
                "nodes whose devices publish different driver versions");
        });
    }

    [Test]
    [Holds(Hold.AllAccelerators)] // a unit on every node of every kind
    [Description("KAR-0001 'Automated tests': a pod on each accelerator node, for every kind of accelerator, inspects the installed driver and runtime, and they match what the platform publishes")]
    public async Task PublishedVersionsMatchWhatAProbeOnEachNodeSees()
    {
        var (kinds, inventory) = await RequireKindsAsync();
        var readings = new List<Reading>();
        var notVerified = new List<string>();
        // One namespace and lease per kind, all started before any wait: one pod start time, whatever the kinds.
        var held = new List<(TestNamespace Namespace, AcceleratorLease Lease, AcceleratorKind Kind, List<(string Node, string Pod)> Pods)>();
        try
        {
            foreach (var kind in kinds.Where(kind => !kind.Passthrough))
            {
                if (kind.Requestable is null)
                {
                    notVerified.Add($"{kind.Name}: no pod can be given one");
                    continue;
                }
                var ns = await TestNamespace.CreateAsync("versions");
                var lease = new AcceleratorLease(ns, kind.Requestable);
                var pods = kind.Nodes.Select((node, index) => (Node: node, Pod: $"node-{index}")).ToList();
                held.Add((ns, lease, kind, pods));
                Evidence.Step($"{kind.Name}: run one probe pod with one unit on each of [{string.Join(", ", kind.Nodes)}] in {ns.Name}");
                foreach (var (node, pod) in pods) await lease.StartProbeAsync(pod, node: node);
            }
            foreach (var (ns, _, kind, pods) in held)
            {
                await ns.WaitForRunningAsync([.. pods.Select(entry => entry.Pod)]);
                foreach (var (node, pod) in pods) readings.Add(new Reading(kind, node, Published(kind, node, inventory), await ns.ReadProbeAsync(pod)));
            }
        }
        finally
        {
            foreach (var (ns, lease, _, _) in held)
            {
                await lease.DisposeAsync();
                await ns.DisposeAsync();
            }
        }
        // A kind none of whose probes has a tool the suite understands cannot be verified here (not a defect of the cluster).
        var unreadable = readings.GroupBy(reading => reading.Kind).Where(kind => kind.All(reading => reading.Report.NvidiaSmi is null)).Select(kind => kind.Key).ToHashSet();
        notVerified.AddRange(unreadable.Select(kind => $"{kind.Name}: its workloads see no driver version the suite can read (only nvidia-smi is understood today)"));

        Assert.Multiple(() =>
        {
            foreach (var reading in readings.Where(reading => !unreadable.Contains(reading.Kind)))
            {
                var (kind, node, versions, report) = reading;
                var driver = report.NvidiaSmi?.DriverVersion;
                var cuda = report.NvidiaSmi?.CudaVersion;
                Evidence.Observed($"{kind.Name}: {node} runs", $"driver {driver ?? "unknown"}, CUDA {cuda ?? "unknown"}; publishes {versions.Describe()}");
                if (driver is null)
                {
                    Assert.Fail($"{node} ({kind.Name}): the probe could not read the driver version; nvidia-smi said: {report.NvidiaSmi?.Error ?? "absent"}");
                    continue;
                }
                Assert.That(PublishedVersions.SameVersion(versions.Driver, driver), Is.True,
                    $"{node} ({kind.Name}): published driver version {versions.Driver ?? "(none)"} ({versions.Source}) but the node runs {driver}");
                if (versions.Cuda is not null && cuda is not null)
                    Assert.That(PublishedVersions.SameVersion(versions.Cuda, cuda), Is.True,
                        $"{node} ({kind.Name}): published CUDA driver version {versions.Cuda} ({versions.Source}) but the node runs {cuda}");
                // Control: with DRA, the report comes from a device published on that node, not from a stale image or another machine.
                if (kind.Requestable?.Path == AcceleratorPath.Dra && report.NvidiaSmi is { } smi)
                {
                    var publishedHere = inventory.Devices.Where(device => device.Node == node)
                        .SelectMany(device => device.Identities.Append(device.Text("parentUUID") ?? "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    Assert.That(smi.Gpus.Select(gpu => gpu.Uuid).Where(uuid => !publishedHere.Contains(uuid)), Is.Empty,
                        $"{node} ({kind.Name}): GPUs reported by nvidia-smi that the node does not publish");
                }
            }
        });
        if (notVerified.Count > 0)
            Outcome.NeedsAttestation((readings.Any(reading => !unreadable.Contains(reading.Kind)) ? "the other kinds run what they publish, but " : "") +
                                     $"a person must compare the installed driver with what the nodes publish for: {string.Join("; ", notVerified)}");
    }

    /// <summary>Every kind of accelerator the cluster publishes, each written to the evidence with what its nodes publish.</summary>
    private static async Task<(IReadOnlyList<AcceleratorKind> Kinds, AcceleratorInventory Inventory)> RequireKindsAsync()
    {
        var settings = AcceleratorSettings.From(Run.Configuration);
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        var kinds = AcceleratorKind.All(inventory, settings);
        if (kinds.Count == 0)
            Outcome.NeedsAttestation($"no accelerator found: {AcceleratorDetection.Detect(inventory, settings).Searched}");
        if (inventory.Devices.Where(device => !AcceleratorKind.IsAccelerator(device)).Select(device => device.Driver).Distinct().ToList() is { Count: > 0 } others)
            Evidence.Observed("DRA drivers not taken for accelerators", $"{string.Join(", ", others)} (no driverVersion, accelerator type or accelerator driver name)");
        foreach (var kind in kinds)
        {
            Evidence.Observed(kind.Name, kind.Passthrough
                ? $"passthrough devices on [{string.Join(", ", kind.Nodes)}], bound to vfio-pci: their driver runs in the virtual machine, not on the node; not checked here"
                : string.Join("; ", kind.Nodes.Select(node => $"{node} publishes {Published(kind, node, inventory).Describe()}")));
        }
        if (kinds.All(kind => kind.Passthrough))
            Outcome.NeedsAttestation($"only passthrough accelerators ({string.Join(", ", kinds.Select(kind => kind.Name))}): their driver runs in the guest; " +
                                     "a person must attest how guest drivers and runtimes are managed");
        return (kinds, inventory);
    }

    private static PublishedVersions Published(AcceleratorKind kind, string node, AcceleratorInventory inventory) =>
        inventory.Node(node) is { } nodeObject ? PublishedVersions.Of(nodeObject, kind.DevicesOn(node)) : new PublishedVersions(null, null, "node not Ready");
}
