using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Autoscaling;
using AiConformance.Workloads;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.SchedulingOrchestration;

/// <summary>
/// cluster_autoscaling (KAR-0055): where the platform provides a node autoscaler, an accelerator node pool grows by a
/// node carrying the requested accelerator when a pod that needs one cannot be scheduled, and shrinks back to its
/// baseline once that pod is gone. One case per autoscaler found (cluster-autoscaler, Karpenter, or a managed one
/// named by the configured pool).
/// </summary>
[Requirement("cluster_autoscaling")]
[Holds(Hold.WholeNodes)] // fills the pool's accelerators; once its pods are gone it holds only the added nodes (kept free) while the pool shrinks
public sealed class ClusterAutoscaling
{
    public const string ScaleUpTimeoutKey = "clusterAutoscaling.scaleUpTimeout";
    public const string ScaleDownTimeoutKey = "clusterAutoscaling.scaleDownTimeout";
    private const string Workload = "accelerator-workload";
    /// <summary>What the test holds while the pool shrinks back: no other test may scale a node pool meanwhile.</summary>
    private const string AutoscalerPools = "autoscaler-pools";
    private const int Port = 8080;

    private static readonly DetectedCases<DetectedAutoscaler> Autoscalers = new(NodeAutoscalerDetection.DetectAsync);

    private static RunContext Run => RunContext.Current;

    public static IEnumerable<TestCaseData> Cases() => Autoscalers.Cases();

    [TestCaseSource(nameof(Cases))]
    [Description("KAR-0055 'How we might test it': with the pool full, one more accelerator pod is Unschedulable; the pool grows by a node " +
                 "carrying the accelerator and the pod runs there; once the pods are deleted the pool returns to its baseline")]
    public async Task PoolGrowsByAnAcceleratorNodeForAPendingPodAndShrinksBackAfterIt(DetectedAutoscaler? autoscaler)
    {
        var found = Autoscalers.Require(autoscaler, "node autoscaler", searched =>
            Outcome.NotApplicable($"no cluster autoscaler found (looked for: {searched}); cluster_autoscaling applies only if the platform provides one"));
        var accelerator = await AcceleratorDetection.RequireAsync(Run);
        var scaleUpTimeout = Run.Configuration.GetDuration(ScaleUpTimeoutKey, Run.Timeouts().NodeScaleUp);
        var scaleDownTimeout = Run.Configuration.GetDuration(ScaleDownTimeoutKey, Run.Timeouts().NodeScaleDown);
        var (pool, baseline) = await AcceleratorPoolAsync(found, accelerator);
        var units = baseline.Sum(node => accelerator.CapacityByNode.GetValueOrDefault(node.Metadata.Name));
        Evidence.Observed("accelerator pool", $"{pool} (baseline {NodeCountTimeline.Describe(baseline)}; {units} accelerator(s) of the kind above)");
        var baselineNames = baseline.Select(node => node.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var poolNodes = new ClusterObjects<V1Node>(Run.Kubernetes, null).Watchable(labelSelector: pool.Text);
        var timeline = new NodeCountTimeline();
        timeline.Note(baseline);

        await using var ns = await TestNamespace.CreateAsync("cluster-autoscaling");
        var replicas = units + 1;
        Evidence.Step($"Fill the pool and ask for one more: Deployment `{Workload}` of {replicas} pods holding one accelerator each, kept in the pool by node affinity");
        if (accelerator.DeviceClass is { } deviceClass) await ns.CreateAsync(Claims.Template(Workload, deviceClass));
        var created = DateTimeOffset.UtcNow;
        await ns.CreateAsync(RoleWorkloads.Deployment(Workload, replicas, PodSpec(pool, accelerator)));
        // A fast autoscaler may have placed the refused pod before the wait looks: the scheduler's event still tells of it.
        var pending = await Wait.For(ns.Pods())
            .Until("a pod of the workload to be Unschedulable", pods => pods.Any(IsUnschedulable) || pods.Count >= replicas && pods.All(PodWaits.IsRunning))
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodScheduled).Async(ns.Cancellation);
        var refusal = await RefusalAsync(ns, pending, baselineNames, units, created.UtcDateTime);
        Evidence.Observed("pod the pool has no room for", $"{refusal.Pod} at {refusal.At:O}: {refusal.Message}");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Evidence.Step($"Wait for the pool to grow by a node and every pod to run (scale-up timeout {Seconds(scaleUpTimeout)}, {ScaleUpTimeoutKey})");
        var grown = await Wait.For(poolNodes).Until("a node added to the pool to be Ready", nodes =>
            {
                timeline.Note(nodes);
                return nodes.Any(node => !baselineNames.Contains(node.Metadata.Name) && NodeCountTimeline.IsReady(node));
            })
            .DescribedBy(_ => timeline.Describe()).Within(scaleUpTimeout).Async(ns.Cancellation);
        var firstAdded = grown.Where(node => !baselineNames.Contains(node.Metadata.Name)).Select(node => node.Metadata.Name).ToList();
        var joined = clock.Elapsed;
        var publishedFirst = await PublishedAcceleratorsAsync(accelerator, firstAdded);
        var running = await Wait.For(ns.Pods()).Until($"all {replicas} pods to run", pods => pods.Count(PodWaits.IsRunning) >= replicas)
            .DescribedBy(pods => $"{PodWaits.Describe(pods)}; pool: {timeline.Describe()}; accelerators the added nodes publish: {Describe(publishedFirst)}")
            .Within(Remaining(scaleUpTimeout, clock.Elapsed)).Async(ns.Cancellation);
        var scaledUp = clock.Elapsed;
        // Judged by the nodes the pool has grown by now and where the pods run: an autoscaler may have replaced the
        // first node it added (e.g. one that did not become usable in time) before the pods ran.
        var poolNow = (await new ClusterObjects<V1Node>(Run.Kubernetes, null).ListAsync(pool.Text, null, ns.Cancellation)).Items.ToList();
        timeline.Note(poolNow);
        var addedNodes = poolNow.Where(node => !baselineNames.Contains(node.Metadata.Name)).ToList();
        var onAdded = running.Where(pod => PodWaits.IsRunning(pod) && !baselineNames.Contains(pod.Spec.NodeName)).ToList();
        var published = await PublishedAcceleratorsAsync(accelerator, [.. onAdded.Select(pod => pod.Spec.NodeName).Distinct()]);
        Evidence.Observed("scale-up", $"node(s) {string.Join(", ", firstAdded)} Ready after {joined.TotalSeconds:0.0} s, all pods running after {scaledUp.TotalSeconds:0.0} s" +
            $"; the pool's added node(s) then: {string.Join(", ", addedNodes.Select(node => node.Metadata.Name).DefaultIfEmpty("none"))}");
        Evidence.Observed("pods on the added node(s)", string.Join(", ", onAdded.Select(pod => $"{pod.Metadata.Name} on {pod.Spec.NodeName}")));
        Evidence.Observed("accelerators the added node(s) running the pods publish", Describe(published));

        Assert.Multiple(() =>
        {
            Assert.That(onAdded, Is.Not.Empty, "pods running on the node(s) the pool grew by");
            Assert.That(published.Where(entry => entry.Value == 0).Select(entry => entry.Key), Is.Empty,
                $"node(s) the pool grew by that run the pods without publishing the requested accelerator ({accelerator.Summary})");
            // Negative control: the growth answered the pod the pool had no room for: the node joined after the pod was refused.
            Assert.That(addedNodes.Where(node => node.Metadata.CreationTimestamp < refusal.At.AddSeconds(-1)).Select(node => node.Metadata.Name),
                Is.Empty, $"node(s) that were in the pool before pod {refusal.Pod} became Unschedulable at {refusal.At:O}");
        });

        Evidence.Step($"Delete the workload and wait for the pool to return to its baseline of {baseline.Count} node(s) (scale-down timeout {Seconds(scaleDownTimeout)}, {ScaleDownTimeoutKey})");
        await ns.Objects<V1Deployment>().DeleteAsync(Workload, ns.Cancellation);
        await Wait.For(ns.Pods()).Until("the workload's pods to be gone", pods => pods.Count == 0)
            .DescribedBy(PodWaits.Describe).Within(ns.Timeouts.PodCompleted).Async(ns.Cancellation);
        Evidence.AcceleratorSeconds(replicas * (DateTimeOffset.UtcNow - created).TotalSeconds);
        // What is left is to watch the pool shrink, which needs only the nodes it grew by to stay empty: other tests
        // may run from here, kept off those nodes. A scale-down can take many minutes on a real cluster.
        var grownBy = (await new ClusterObjects<V1Node>(Run.Kubernetes, null).ListAsync(pool.Text, null, ns.Cancellation)).Items
            .Select(node => node.Metadata.Name).Where(name => !baselineNames.Contains(name)).ToList();
        using var keptFree = Run.NodesKeptFree.Keep(grownBy);
        Run.GiveBackHoldings(new Holding(Hold.ClusterResource, Resource: AutoscalerPools));
        Evidence.Step($"Keep only the node(s) the pool grew by ({string.Join(", ", grownBy.DefaultIfEmpty("none left"))}): other tests may run from now on, their pods kept off them and marked not to be evicted by the autoscaler");
        clock.Restart();
        var after = await Wait.For(poolNodes).Until($"the pool to shrink back to {baseline.Count} node(s)", nodes =>
            {
                timeline.Note(nodes);
                return nodes.Count(node => node.Metadata.DeletionTimestamp is null) <= baseline.Count;
            })
            .DescribedBy(_ => timeline.Describe()).Within(scaleDownTimeout).Async(ns.Cancellation);
        Evidence.Observed("scale-down", $"pool back to {NodeCountTimeline.Describe(after)} after {clock.Elapsed.TotalSeconds:0.0} s");
        Evidence.Block("Pool nodes over time", string.Join("\n", timeline.Lines));
    }

    /// <summary>
    /// The node pool to grow: the first of the autoscaler's pools whose nodes carry the accelerator (or the configured
    /// one, which may be empty at baseline); none configured: needs attestation, with the configuration to add.
    /// </summary>
    private static async Task<(NodePoolSelector Pool, IReadOnlyList<V1Node> Baseline)> AcceleratorPoolAsync(DetectedAutoscaler found, DetectedAccelerator accelerator)
    {
        var nodes = (await new ClusterObjects<V1Node>(Run.Kubernetes, null).ListAsync(null, null, Run.Cancellation)).Items;
        var configured = Run.Configuration.Get(NodeAutoscalerDetection.NodePoolSelectorKey) is not null;
        foreach (var pool in found.Pools)
        {
            var members = nodes.Where(node => pool.Matches(node.Metadata.Labels)).ToList();
            if (configured || members.Any(node => accelerator.CapacityByNode.GetValueOrDefault(node.Metadata.Name) > 0)) return (pool, members);
        }
        Outcome.NeedsAttestation($"{found.Summary} is present, but no accelerator node pool is configured for this test" +
            (found.Pools.Count > 0 ? $" (none of [{string.Join(", ", found.Pools)}] has nodes with {accelerator.Summary})" : "") +
            $": add `{NodeAutoscalerDetection.NodePoolSelectorKey}: <label selector of the accelerator pool's nodes>` to the plugin's configuration " +
            "(e.g. `eks.amazonaws.com/nodegroup=gpu`, `cloud.google.com/gke-nodepool=gpu-pool` or `karpenter.sh/nodepool=gpu`); " +
            "the pool's maximum size must be at least one node above its current size");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Accelerators of the detected kind each node publishes: its DRA driver's devices in ResourceSlices, or its allocatable extended resource.</summary>
    private static async Task<Dictionary<string, int>> PublishedAcceleratorsAsync(DetectedAccelerator accelerator, IReadOnlyList<string> nodes)
    {
        if (accelerator.Path == AcceleratorPath.Dra)
        {
            var slices = (await Run.Kubernetes.ResourceV1.ListResourceSliceAsync(cancellationToken: Run.Cancellation)).Items;
            return nodes.ToDictionary(node => node, node => slices
                .Where(slice => slice.Spec.NodeName == node && slice.Spec.Driver == accelerator.Driver).Sum(slice => slice.Spec.Devices?.Count ?? 0));
        }
        var listed = (await new ClusterObjects<V1Node>(Run.Kubernetes, null).ListAsync(null, null, Run.Cancellation)).Items;
        return nodes.ToDictionary(node => node, node =>
            listed.FirstOrDefault(item => item.Metadata.Name == node)?.Status?.Allocatable?.TryGetValue(accelerator.ExtendedResource!, out var quantity) == true
                ? (int)quantity.ToInt64() : 0);
    }

    private static V1PodSpec PodSpec(NodePoolSelector pool, DetectedAccelerator accelerator)
    {
        var spec = RoleWorkloads.PodSpec(Run.Configuration, WorkloadRoles.ServeEcho, ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], port: Port);
        spec.Affinity = pool.ToAffinity();
        spec.NodeSelector = accelerator.NodeSelector.Count > 0 ? new Dictionary<string, string>(accelerator.NodeSelector) : null;
        spec.Tolerations = accelerator.Tolerations.Count > 0 ? [.. accelerator.Tolerations] : null;
        var container = spec.Containers[0];
        if (accelerator.DeviceClass is not null)
        {
            spec.ResourceClaims = [ProbePod.FromTemplate(Claims.RequestName, Workload)];
            container.Resources = new V1ResourceRequirements { Claims = [new Corev1ResourceClaim { Name = Claims.RequestName }] };
        }
        else
        {
            container.Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { [accelerator.ExtendedResource!] = new("1") } };
        }
        return spec;
    }

    /// <summary>
    /// Which pod the scheduler refused, when and why: from a pod still Unschedulable, else from the scheduler's
    /// FailedScheduling event of a pod of the test (the pod may already run on the added node). Events are best effort
    /// (a busy cluster drops them): a pod running outside the baseline still shows the pool grew for the workload, and
    /// the workload's creation then bounds when. Every pod running on the baseline alone means the pool took more
    /// accelerator pods than the accelerators it publishes: nothing was left for the autoscaler to do, so this cannot
    /// be decided here.
    /// </summary>
    private static async Task<(string Pod, DateTime At, string Message)> RefusalAsync(
        TestNamespace ns, IReadOnlyList<V1Pod> pods, IReadOnlySet<string> baseline, int units, DateTime created)
    {
        if (pods.FirstOrDefault(IsUnschedulable) is { } pod && Scheduled(pod) is { } condition)
            return (pod.Metadata.Name, condition.LastTransitionTime ?? DateTime.UtcNow, condition.Message);
        var events = (await Run.Kubernetes.CoreV1.ListNamespacedEventAsync(ns.Name, cancellationToken: ns.Cancellation)).Items;
        var failed = events.Where(item => item.Reason == "FailedScheduling" && item.InvolvedObject?.Kind == "Pod")
            .OrderBy(item => item.FirstTimestamp ?? item.EventTime ?? DateTime.MaxValue).FirstOrDefault();
        if (failed is not null)
            return (failed.InvolvedObject.Name, failed.FirstTimestamp ?? failed.EventTime ?? DateTime.UtcNow, failed.Message);
        if (pods.FirstOrDefault(running => PodWaits.IsRunning(running) && !baseline.Contains(running.Spec.NodeName)) is { } outside)
            return (outside.Metadata.Name, created, $"no FailedScheduling event is left, but it runs on {outside.Spec.NodeName}, outside the pool's baseline");
        Outcome.NeedsAttestation($"all {pods.Count} pods of the workload run on the pool's baseline nodes, which publish {units} accelerator(s) of the kind " +
                                 $"requested: the pool took more accelerator pods than it has accelerators, so none was left for the autoscaler to place " +
                                 $"({PodWaits.Describe(pods)}); check how the nodes account for their accelerators, then attach evidence of a scale-up");
        throw new InvalidOperationException("unreachable");
    }

    private static V1PodCondition? Scheduled(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(condition => condition.Type == "PodScheduled");

    private static bool IsUnschedulable(V1Pod pod) => Scheduled(pod) is { Status: "False", Reason: "Unschedulable" } && pod.Metadata.DeletionTimestamp is null;

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";

    private static TimeSpan Remaining(TimeSpan timeout, TimeSpan elapsed) => timeout > elapsed ? timeout - elapsed : TimeSpan.FromSeconds(1);

    private static string Describe(IReadOnlyDictionary<string, int> published) =>
        published.Count == 0 ? "no node added" : string.Join(", ", published.Select(entry => $"{entry.Key}: {entry.Value}"));
}
