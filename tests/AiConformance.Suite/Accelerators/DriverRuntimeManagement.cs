using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using NUnit.Framework;

namespace AiConformance.Suite.Accelerators;

/// <summary>
/// driver_runtime_management (KAR-0001): every accelerator node publishes its driver and runtime versions in a
/// verifiable way (DRA attributes or node labels), and that publication matches what a workload on the node sees.
/// </summary>
[Requirement("driver_runtime_management")]
public sealed class DriverRuntimeManagement
{
    private static RunContext Run => RunContext.Current;

    [Test]
    [Description("KAR-0001 'How we might test it': the platform's verifiable mechanism (labels, annotations or DRA attributes) gives the driver version of every node with accelerators")]
    public async Task EveryAcceleratorNodePublishesItsDriverVersion()
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        var published = PublishedPerNode(accelerator, inventory);
        foreach (var (node, versions) in published)
            Evidence.Observed($"{node} publishes", $"driver {versions.Driver ?? "-"}, CUDA {versions.Cuda ?? "-"} ({versions.Source})");

        Assert.Multiple(() =>
        {
            Assert.That(published, Is.Not.Empty, "accelerator nodes");
            Assert.That(published.Where(entry => entry.Value.Driver is null).Select(entry => entry.Key), Is.Empty,
                "accelerator nodes that publish no driver version (DRA attribute driverVersion or a feature-discovery label)");
            Assert.That(published.Where(entry => entry.Value.Driver?.Contains(" | ", StringComparison.Ordinal) == true).Select(entry => entry.Key), Is.Empty,
                "nodes whose devices publish different driver versions");
        });
    }

    [Test]
    [Description("KAR-0001 'Automated tests': a pod on each accelerator node inspects the installed driver and runtime, and they match what the platform publishes")]
    public async Task PublishedVersionsMatchWhatAProbeOnEachNodeSees()
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        var inventory = await AcceleratorInventory.ReadAsync(Run);
        var published = PublishedPerNode(accelerator, inventory);
        await using var ns = await TestNamespace.CreateAsync("versions");
        await using var lease = new AcceleratorLease(ns, accelerator);

        var pods = published.Keys.Select((node, index) => (Node: node, Pod: $"node-{index}")).ToList();
        Evidence.Step($"Run one probe pod with an accelerator on each of {pods.Count} accelerator nodes");
        foreach (var (node, pod) in pods) await lease.StartProbeAsync(pod, node: node);
        await ns.WaitForRunningAsync([.. pods.Select(entry => entry.Pod)]);

        var seen = new Dictionary<string, ProbeReport>();
        foreach (var (node, pod) in pods) seen[node] = await ns.ReadProbeAsync(pod);
        var unknown = seen.Where(entry => entry.Value.NvidiaSmi?.DriverVersion is null).Select(entry => entry.Key).ToList();
        if (unknown.Count == seen.Count)
            Outcome.NeedsAttestation($"the accelerator ({accelerator.Summary}) reports no driver version to a workload the suite can read " +
                                     "(only nvidia-smi is understood today); a person must compare the installed driver with what the nodes publish");

        Assert.Multiple(() =>
        {
            foreach (var (node, report) in seen)
            {
                var versions = published[node];
                var driver = report.NvidiaSmi?.DriverVersion;
                var cuda = report.NvidiaSmi?.CudaVersion;
                Evidence.Observed($"{node} runs", $"driver {driver ?? "unknown"}, CUDA {cuda ?? "unknown"}; publishes driver {versions.Driver ?? "-"}, CUDA {versions.Cuda ?? "-"}");
                if (driver is null)
                {
                    Assert.Fail($"{node}: the probe could not read the driver version; nvidia-smi said: {report.NvidiaSmi?.Error ?? "absent"}");
                    continue;
                }
                Assert.That(PublishedVersions.SameVersion(versions.Driver, driver), Is.True,
                    $"{node}: published driver version {versions.Driver ?? "(none)"} ({versions.Source}) but the node runs {driver}");
                if (versions.Cuda is not null && cuda is not null)
                    Assert.That(PublishedVersions.SameVersion(versions.Cuda, cuda), Is.True,
                        $"{node}: published CUDA driver version {versions.Cuda} ({versions.Source}) but the node runs {cuda}");
            }
            // Control: the report comes from a device published on that node, not from a stale image or another machine.
            foreach (var (node, report) in seen.Where(entry => accelerator.Path == AcceleratorPath.Dra && entry.Value.NvidiaSmi is not null))
            {
                var publishedHere = inventory.Devices.Where(device => device.Node == node).SelectMany(device => device.Identities)
                    .ToHashSet(StringComparer.OrdinalIgnoreCase);
                Assert.That(report.NvidiaSmi!.Gpus.Select(gpu => gpu.Uuid).Where(uuid => !publishedHere.Contains(uuid)), Is.Empty,
                    $"{node}: GPUs reported by nvidia-smi that the node does not publish");
            }
        });
    }

    private static Dictionary<string, PublishedVersions> PublishedPerNode(DetectedAccelerator accelerator, AcceleratorInventory inventory) =>
        accelerator.Nodes
            .Select(node => (Node: node, Object: inventory.Node(node)))
            .Where(entry => entry.Object is not null)
            .ToDictionary(entry => entry.Node, entry => PublishedVersions.Of(entry.Object!,
                [.. inventory.Devices.Where(device => device.Node == entry.Node && (accelerator.Driver is null || device.Driver == accelerator.Driver))]));
}
