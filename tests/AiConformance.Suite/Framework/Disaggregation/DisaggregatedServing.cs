using System.Globalization;
using AiConformance.Suite.Framework.Gateways;
using AiConformance.Workloads;
using AiConformance.Workloads.Metrics;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Disaggregation;

/// <summary>
/// Prefill and decode instances of <c>serve-model</c> as two Deployments, each behind its own Service: requests enter
/// the decode Service; each decode pod has a prefill pod (through the prefill Service) do the prompt. Each instance
/// holds its own accelerator unit where enough are free (<see cref="AcceleratorPerReplica"/>).
/// </summary>
public sealed class DisaggregatedServing(TestNamespace ns)
{
    public const string Prefill = "prefill";
    public const string Decode = "decode";
    private const int Port = 8000;

    /// <summary>How long a removed instance keeps serving after its deletion (its preStop sleep).</summary>
    private const int DrainSeconds = 10;

    /// <summary>Each generated token takes this long, so that requests are in flight while prefill is scaled.</summary>
    private const int TimePerTokenMs = 20;

    private AcceleratorPerReplica? accelerator;

    public string Url => $"http://{Decode}.{ns.Name}.svc.cluster.local:{Port.ToString(CultureInfo.InvariantCulture)}/v1/completions";

    /// <summary>
    /// Deploys both phases, each instance with one accelerator unit where enough are free for the most instances the
    /// test runs at once (<paramref name="mostPrefillReplicas"/> prefill, when it scales them, and the decode ones).
    /// </summary>
    public static async Task<DisaggregatedServing> DeployAsync(TestNamespace ns, int prefillReplicas, int decodeReplicas, int? mostPrefillReplicas = null)
    {
        var serving = new DisaggregatedServing(ns)
        {
            accelerator = await AcceleratorPerReplica.ChooseAsync(ns, (mostPrefillReplicas ?? prefillReplicas) + decodeReplicas, "instance-accelerator"),
        };
        Evidence.Step($"Deploy {prefillReplicas} prefill and {decodeReplicas} decode instances of serve-model, each a Deployment behind its Service" +
                      (serving.accelerator is { } held ? $", each instance holding one unit of {held.Accelerator.Summary}" : ""));
        await serving.CreateAsync(Prefill, prefillReplicas, ["--phase", "prefill"]);
        await serving.CreateAsync(Decode, decodeReplicas, ["--phase", "decode", "--prefill-url", $"http://{Prefill}.{ns.Name}.svc.cluster.local:{Port.ToString(CultureInfo.InvariantCulture)}"]);
        await serving.WaitForReadyAsync(Prefill, prefillReplicas);
        await serving.WaitForReadyAsync(Decode, decodeReplicas);
        return serving;
    }

    private async Task CreateAsync(string name, int replicas, string[] arguments)
    {
        var spec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeModel,
            ["--port", RoleWorkloads.Number(Port), "--time-per-token-ms", RoleWorkloads.Number(TimePerTokenMs), .. arguments], port: Port);
        spec.Containers[0].Env = [new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } }];
        spec.Containers[0].ReadinessProbe.HttpGet.Path = "/health";
        // An instance scaled away keeps serving while it leaves its Service's endpoints (which the proxies and the
        // gateway learn of a moment later), as a zero-downtime deployment does: requests already routed to it are answered.
        spec.Containers[0].Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = DrainSeconds } } };
        accelerator?.Equip(spec);
        await ns.CreateAsync(RoleWorkloads.Deployment(name, replicas, spec));
        await ns.CreateAsync(RoleWorkloads.Service(name, Port, Port));
    }

    /// <summary>For the evidence: the unit each instance holds (its claim's device for DRA), or that they run on CPU.</summary>
    public async Task<string> DescribeAcceleratorsAsync()
    {
        if (accelerator is null) return "none: CPU-only instances";
        if (accelerator.Accelerator.Path != AcceleratorPath.Dra) return $"one {accelerator.Accelerator.ExtendedResource} each";
        var claims = await ns.Kubernetes.ResourceV1.ListNamespacedResourceClaimAsync(ns.Name, cancellationToken: ns.Cancellation);
        return Claims.Describe([.. claims.Items]);
    }

    /// <summary>The Ready pods of one phase, waiting until there are exactly <paramref name="replicas"/> and no other.</summary>
    public async Task<IReadOnlyList<V1Pod>> WaitForReadyAsync(string phase, int replicas) =>
        await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: $"{RoleWorkloads.AppLabel}={phase}"))
            .Until($"exactly {replicas} Ready {phase} pods", seen => seen.Count == replicas && seen.All(IsReady))
            .DescribedBy(PodWaits.Describe)
            .Within(ns.Timeouts.PodRunning)
            .Async(ns.Cancellation);

    public async Task ScaleAsync(string phase, int replicas)
    {
        Evidence.Step($"Scale the {phase} Deployment to {replicas}");
        var patch = new V1Patch($"{{\"spec\":{{\"replicas\":{replicas.ToString(CultureInfo.InvariantCulture)}}}}}", V1Patch.PatchType.MergePatch);
        await ns.Kubernetes.AppsV1.PatchNamespacedDeploymentAsync(patch, phase, ns.Name, cancellationToken: ns.Cancellation);
    }

    /// <summary>A counter of a pod's /metrics (read through the API server's pod proxy), summed over its series.</summary>
    public async Task<double> CounterAsync(V1Pod pod, string metric)
    {
        await using var body = await ns.Kubernetes.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(
            $"{pod.Metadata.Name}:{Port.ToString(CultureInfo.InvariantCulture)}", ns.Name, "metrics", cancellationToken: ns.Cancellation);
        using var reader = new StreamReader(body);
        return Exposition.Parse(await reader.ReadToEndAsync(ns.Cancellation)).Samples(metric).Sum(sample => sample.Value);
    }

    /// <summary>
    /// Waits until one of <paramref name="pods"/> has answered a request (its <c>vllm:request_success_total</c>): a
    /// metrics endpoint cannot be watched, so it is read on an interval within a deadline. The requests come from the
    /// load Job <paramref name="load"/>: if it has ended by the deadline, nothing could reach the pods, and a person
    /// must judge.
    /// </summary>
    public async Task WaitUntilServingAsync(IReadOnlyList<V1Pod> pods, string load)
    {
        var (served, _) = await Poll.UntilAsync(async () =>
        {
            var sum = 0.0;
            foreach (var pod in pods) sum += await CounterAsync(pod, "vllm:request_success_total");
            return sum;
        }, sum => sum > 0, ns.Timeouts.MetricsAppear, TimeSpan.FromMilliseconds(200), ns.Cancellation);
        Evidence.Observed($"requests served by the added pods {string.Join(", ", pods.Select(pod => pod.Metadata.Name))}", served);
        if (served == 0 && !(await ns.Objects<V1Pod>().ListAsync($"batch.kubernetes.io/job-name={load}", null, ns.Cancellation)).Items.Any(PodWaits.IsRunning))
            Outcome.NeedsAttestation($"the load {load} ended before the added pods {string.Join(", ", pods.Select(pod => pod.Metadata.Name))} answered a request");
        NUnit.Framework.Assert.That(served, NUnit.Framework.Is.GreaterThan(0),
            $"the added {pods.Count} pods answered no request within {ns.Timeouts.MetricsAppear.TotalSeconds:0} s of being Ready (vllm:request_success_total)");
    }

    private static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;
}
