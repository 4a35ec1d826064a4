using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Metrics;
using AiConformance.Workloads.Metrics;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Observability;

/// <summary>
/// accelerator_metrics (KAR-0059): an accelerator metrics exporter publishes, for every device of every accelerator
/// node, a utilization and a memory-usage series labelled with that device's published identity, and the numbers are
/// live: a compute load on one allocated device raises that device's utilization, attributed to the load's pod.
/// </summary>
[Requirement("accelerator_metrics")]
public sealed class AcceleratorMetrics
{
    public const string LoadCommandKey = "metrics.loadCommand";

    private const string LoadPod = "load";

    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(2);

    private static RunContext Run => RunContext.Current;

    public static IEnumerable<TestCaseData> Exporters() => MetricsExporterDetection.Cases.Cases();

    [TestCaseSource(nameof(Exporters))]
    [Description("KAR-0059 'Metrics presence case': the endpoint of each accelerator node has a utilization and a memory series for each device the node publishes, labelled with that device's identity; temperature, power and interconnect series are reported")]
    public async Task EveryDeviceHasUtilizationAndMemorySeriesLabelledWithItsIdentity(MetricsExporter? exporter)
    {
        var (accelerator, found) = await RequireAsync(exporter);
        var failures = new List<string>();
        var checkedNodes = 0;
        foreach (var node in accelerator.Nodes)
        {
            var nodeFailures = await CheckNodeAsync(accelerator, found, node);
            if (nodeFailures.Count > 0 && await NodeDeparture.IsLeavingAsync(Run, node))
            {
                Evidence.Observed($"{node} left the cluster during the test", $"not checked (it showed: {string.Join("; ", nodeFailures)})");
                continue;
            }
            checkedNodes++;
            failures.AddRange(nodeFailures);
        }
        if (checkedNodes == 0)
            Outcome.NeedsAttestation($"every accelerator node ({string.Join(", ", accelerator.Nodes)}) left the cluster while its exporter was read; run again when the node pools are steady");
        Assert.That(failures, Is.Empty, "per-device utilization and memory series of every accelerator node");
    }

    [TestCaseSource(nameof(Exporters))]
    [Holds(Hold.AllAccelerators)] // another workload on the loaded device between the two scrapes would decide the comparison
    [Description("KAR-0059 'Workload-driven case': scraped before and during a compute load on one allocated device, that device's utilization rises, its series name the load's pod, and every other device's series stay its own")]
    public async Task UtilizationOfTheLoadedDeviceRisesAndIsAttributedToItsPod(MetricsExporter? exporter)
    {
        var (accelerator, found) = await RequireAsync(exporter);
        var profile = found.Profile;
        var image = profile.LoadImageKey is { } key ? DefaultImages.ResolveOptional(key, Run.Configuration) : null;
        if (image is null)
            Outcome.NeedsAttestation($"no load image is known for {profile.Name}; " +
                                     (profile.LoadImageKey is { } unset ? $"set '{unset}' (and '{LoadCommandKey}') to an image that keeps one accelerator busy, " : "there is no image key for its vendor that keeps one accelerator busy, ") +
                                     "or attest that utilization follows a workload (the per-device series were checked by the other test)");
        var command = Run.Configuration.GetList(LoadCommandKey) is { Count: > 0 } configured ? configured : profile.LoadCommand;
        var node = accelerator.Nodes.FirstOrDefault(found.HasPodOn);
        Assert.That(node, Is.Not.Null, $"an accelerator node with a {found.Name} pod ({found.Summary})");
        var exporterPod = (await found.RunningPodOnAsync(Run, node!))!;
        var before = await ExporterScrape.ReadAsync(Run, found, exporterPod);
        // Without published identities the exporter labels with, the devices are those it names, told apart by its labels
        // (before and under the load: some exporters name a device only while a workload holds it).
        var published = Expected(profile, accelerator, node!);
        var devices = published.Count > 0 ? published : ExpectedDevice.AsLabelled(profile, before);
        RecordSeries(profile, node!, before, "before the load");
        await using var ns = await TestNamespace.CreateAsync("metrics-load");
        await using var lease = new AcceleratorLease(ns, accelerator);
        Evidence.Step($"Run `{image} {string.Join(' ', command)}` on one device of {node}");
        await lease.StartProbeAsync(LoadPod, 1, node, pod => pod with { Image = image!, Command = command });
        var running = (await ns.WaitForRunningAsync(LoadPod)).Single();
        var loaded = await LoadedDeviceAsync(ns, accelerator, running, devices);
        Evidence.Observed("device given to the load", loaded?.ToString() ?? "(device plugin: known from the exporter's pod and namespace labels only)");

        var series = new DeviceSeries(profile, devices);
        double Before(ExpectedDevice device) => Utilization(series.Of(before, profile.UtilizationMetric).ByDevice.GetValueOrDefault(device) ?? []);
        Exposition? during = null;
        double? seen = null;
        var deadline = DateTimeOffset.UtcNow + ns.Timeouts.MetricsAppear;
        // An HTTP endpoint cannot be watched: scrape on an interval until the loaded device's utilization rises, within a deadline.
        while (DateTimeOffset.UtcNow < deadline)
        {
            during = await ExporterScrape.ReadAsync(Run, found, exporterPod);
            if (published.Count == 0)
            {
                devices = [.. devices.Union(ExpectedDevice.AsLabelled(profile, during))];
                series = new DeviceSeries(profile, devices);
            }
            loaded ??= profile.WorkloadLabels is null ? RoseUnderTheLoad(profile, series, before, during) : ByWorkload(profile, series, during, ns.Name, LoadPod);
            var samples = loaded is null ? [] : series.Of(during, profile.UtilizationMetric).ByDevice[loaded];
            seen = samples.Count == 0 ? null : Utilization(samples);
            // No series names the loaded device at all: there is nothing that could rise.
            if ((loaded is not null && seen > Before(loaded)) || (loaded is not null && samples.Count == 0)) break;
            await Task.Delay(ScrapeInterval, ns.Cancellation);
        }
        RecordSeries(profile, node!, during!, "under the load");
        if (profile.WorkloadLabels is null && accelerator.Path != AcceleratorPath.Dra)
            Evidence.Observed("device given to the load (by elimination)", $"{profile.Name} names no workload and the device plugin no device: the device whose utilization rose while the suite held every accelerator for the load");
        Assert.That(loaded, Is.Not.Null,
            $"the device the load runs on: neither its claim's allocation nor a {profile.Name} series labelled with pod {ns.Name}/{LoadPod} names it" +
            (profile.WorkloadLabels is null ? $", and no device's {profile.UtilizationMetric} rose under the load" : ""));
        Assert.That(seen, Is.Not.Null,
            $"a {profile.UtilizationMetric} series whose device labels name {loaded} (samples seen: {string.Join("; ", series.Of(during!, profile.UtilizationMetric).Unattributed.Take(3))})");
        var baseline = Before(loaded!);
        Assert.That(seen!.Value, Is.GreaterThan(baseline),
            $"{profile.UtilizationMetric} of {loaded} on {node} under load (before the load: {baseline}; last scraped: {seen}, " +
            $"within {ns.Timeouts.MetricsAppear.TotalSeconds:0} s)");

        var attributed = series.Of(during!, profile.UtilizationMetric);
        Assert.Multiple(() =>
        {
            Assert.That(attributed.Unattributed, Is.Empty, $"{profile.UtilizationMetric} samples that name no single published device under load");
            if (profile.WorkloadLabels is { } workload)
            {
                Assert.That(attributed.ByDevice[loaded!].Select(sample => $"{sample.Label(workload.Namespace)}/{sample.Label(workload.Pod)}"),
                    Has.Some.EqualTo($"{ns.Name}/{LoadPod}"), $"labels {workload.Namespace}/{workload.Pod} of the loaded device's {profile.UtilizationMetric} series");
                Assert.That(attributed.ByDevice.Where(entry => entry.Key != loaded).SelectMany(entry => entry.Value)
                        .Where(sample => sample.Label(workload.Namespace) == ns.Name && sample.Label(workload.Pod) == LoadPod).Select(sample => sample.ToString()),
                    Is.Empty, "series of other devices attributed to the load's pod (negative control)");
            }
        });
    }

    /// <summary>What is wrong with one node's series; empty when they are right.</summary>
    private static async Task<IReadOnlyList<string>> CheckNodeAsync(DetectedAccelerator accelerator, MetricsExporter found, string node)
    {
        if (await found.RunningPodOnAsync(Run, node) is not { } pod) return [$"{node}: no {found.Name} pod on this accelerator node"];
        Exposition exposition;
        try
        {
            exposition = await ExporterScrape.ReadAsync(Run, found, pod);
        }
        catch (k8s.Autorest.HttpOperationException error)
        {
            return [$"{node}: the {found.Name} pod {pod.Metadata.Name} could not be scraped through the API server's pod proxy ({(int)error.Response.StatusCode}: {error.Response.Content})"];
        }
        RecordSeries(found.Profile, node, exposition);
        return [.. Check(found.Profile, node, Expected(found.Profile, accelerator, node), accelerator.CapacityByNode[node], exposition)];
    }

    private static async Task<(DetectedAccelerator Accelerator, MetricsExporter Exporter)> RequireAsync(MetricsExporter? exporter)
    {
        var accelerator = await AcceleratorDetection.RequireAsync();
        var found = MetricsExporterDetection.Cases.Require(exporter, "accelerator metrics exporter", searched => Outcome.NeedsAttestation(
            $"no accelerator metrics exporter was found (looked for {searched}); name yours with '{MetricsExporterDetection.SelectorKey}', " +
            $"'{MetricsExporterDetection.ProfileKey}' and '{MetricsExporterDetection.PortKey}', or attest how the platform exposes per-accelerator metrics"));
        return (accelerator, found);
    }

    /// <summary>
    /// The devices the node publishes (DRA) when they carry an identity the exporter labels devices with; else none, and
    /// only their number is known: a device plugin publishes no identities, and some DRA drivers publish none the
    /// exporter names (the AMD GPU driver publishes a PCI address, which AMD's exporter does not label).
    /// </summary>
    private static IReadOnlyList<ExpectedDevice> Expected(ExporterProfile profile, DetectedAccelerator accelerator, string node)
    {
        var published = accelerator.DevicesOn(node).Select(ExpectedDevice.From).ToList();
        return published.Any(device => profile.DeviceLabels.Values.Any(kind => device.Identity(kind) is not null)) ? published : [];
    }

    private static IEnumerable<string> Check(ExporterProfile profile, string node, IReadOnlyList<ExpectedDevice> devices, int count, Exposition exposition)
    {
        if (profile.EveryDeviceSeries is { } every)
        {
            // Utilization and memory exist only for the devices a workload holds: every device must be named by the series it always has.
            var named = exposition.Samples(every.Metric).Select(sample => sample.Label(every.DeviceLabel)).Where(value => value is { Length: > 0 }).Distinct().Count();
            if (named < count) yield return $"{node}: {every.Metric} names {named} devices by {every.DeviceLabel} but the node has {count}";
        }
        foreach (var metric in new[] { profile.UtilizationMetric, profile.MemoryMetric })
        {
            if (exposition.Samples(metric).Count == 0)
            {
                if (profile.EveryDeviceSeries is null)
                    yield return $"{node}: no {metric} series at all (series found: {string.Join(", ", exposition.SeriesNames)})";
                else
                    Evidence.Observed($"{metric} on {node}", $"no series: {profile.Name} publishes it only for devices a workload holds (checked under load by the workload-driven test)");
                continue;
            }
            if (devices.Count == 0 && profile.EveryDeviceSeries is not null)
            {
                // Only the devices in use have these series; each must still name its device.
                foreach (var sample in exposition.Samples(metric).Where(sample => profile.DeviceLabels.Keys.All(label => sample.Label(label) is not { Length: > 0 })))
                    yield return $"{node}: {metric} {sample}: no device label (looked for {string.Join(", ", profile.DeviceLabels.Keys)})";
                continue;
            }
            if (devices.Count == 0)
            {
                // Device plugin: no published identities to compare with; each device must still be told apart.
                var labelled = exposition.Samples(metric).Select(sample => string.Join(",", profile.DeviceLabels.Keys.Select(sample.Label))).Where(key => key.Trim(',').Length > 0).Distinct().Count();
                if (labelled < count) yield return $"{node}: {metric} tells {labelled} devices apart by {string.Join("/", profile.DeviceLabels.Keys)} but the node has {count}";
                continue;
            }
            var (byDevice, unattributed) = new DeviceSeries(profile, devices).Of(exposition, metric);
            foreach (var sample in unattributed) yield return $"{node}: {metric} {sample}";
            foreach (var device in byDevice.Where(entry => entry.Value.Count == 0).Select(entry => entry.Key))
                yield return $"{node}: no {metric} series for published device {device}";
        }
    }

    private static void RecordSeries(ExporterProfile profile, string node, Exposition exposition, string when = "")
    {
        var suffix = when.Length == 0 ? "" : $" {when}";
        foreach (var metric in new[] { profile.UtilizationMetric, profile.MemoryMetric })
        {
            var samples = exposition.Samples(metric);
            Evidence.Block($"{metric} on {node}{suffix}", samples.Count == 0 ? "(no series)" : string.Join("\n", samples.Select(sample => $"{sample} {sample.Value}")));
        }
        if (when.Length > 0) return;
        foreach (var (what, names) in new[] { ("temperature", profile.TemperatureMetrics), ("power", profile.PowerMetrics), ("interconnect", profile.InterconnectMetrics) })
        {
            var present = names.Where(name => exposition.Samples(name).Count > 0).ToList();
            Evidence.Observed($"{what} series on {node} (should)", present.Count > 0 ? $"present: {string.Join(", ", present)}" : $"absent (looked for {string.Join(", ", names.DefaultIfEmpty("none known"))})");
        }
    }

    private static async Task<ExpectedDevice?> LoadedDeviceAsync(TestNamespace ns, DetectedAccelerator accelerator, V1Pod pod, IReadOnlyList<ExpectedDevice> devices)
    {
        if (accelerator.Path != AcceleratorPath.Dra) return null;
        var claimName = pod.Status?.ResourceClaimStatuses?.FirstOrDefault()?.ResourceClaimName;
        if (claimName is null) return null;
        var claim = await ns.Kubernetes.ResourceV1.ReadNamespacedResourceClaimAsync(claimName, ns.Name, cancellationToken: ns.Cancellation);
        Evidence.Observed("claim of the load", claim.Describe());
        var allocated = claim.Allocated().FirstOrDefault(result => result.Driver == accelerator.Driver);
        return allocated is null ? null : devices.FirstOrDefault(device => device.Name == allocated.Device);
    }

    /// <summary>
    /// For an exporter that names no workload: the device whose utilization rose under the load (the test holds every
    /// accelerator the suite uses, so no other test's workload runs meanwhile); the first by name when several did
    /// (neuron-monitor names each core of the loaded device).
    /// </summary>
    private static ExpectedDevice? RoseUnderTheLoad(ExporterProfile profile, DeviceSeries series, Exposition before, Exposition during)
    {
        var was = series.Of(before, profile.UtilizationMetric).ByDevice;
        return series.Of(during, profile.UtilizationMetric).ByDevice
            .Where(entry => Utilization(entry.Value) > Utilization(was.GetValueOrDefault(entry.Key) ?? []))
            .Select(entry => entry.Key).OrderBy(device => device.Name, StringComparer.Ordinal).FirstOrDefault();
    }

    private static ExpectedDevice? ByWorkload(ExporterProfile profile, DeviceSeries series, Exposition exposition, string ns, string pod) =>
        profile.WorkloadLabels is not { } workload ? null
        : exposition.Samples(profile.UtilizationMetric).Where(sample => sample.Label(workload.Namespace) == ns && sample.Label(workload.Pod) == pod)
            .Select(sample => series.DeviceOf(sample, out _)).FirstOrDefault(device => device is not null);

    private static double Utilization(IReadOnlyList<MetricSample> samples) => samples.Count == 0 ? 0 : samples.Max(sample => sample.Value);
}
