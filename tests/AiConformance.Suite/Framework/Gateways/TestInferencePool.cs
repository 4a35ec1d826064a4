using System.Net;
using System.Text.Json.Nodes;
using AiConformance.Workloads;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>Which of the inference extension's endpoint pickers serves a pool.</summary>
public enum PickerKind
{
    /// <summary>The conformance picker: picks the endpoint the request's <c>test-epp-endpoint-selection</c> header names.</summary>
    Conformance,

    /// <summary>The extension's EPP with its default profile: picks by the model servers' queue and KV-cache metrics.</summary>
    MetricAware,
}

/// <summary>
/// An InferencePool of the test: pods selected by the label <c>inference-pool=&lt;name&gt;</c> on one target port,
/// and, unless the test wants otherwise, its endpoint picker deployed as the extension's conformance tests deploy it
/// (a Deployment running the picker image with <c>--pool-name</c>/<c>--pool-namespace</c> and a Service on the gRPC
/// port 9002). The picker reads its pool and the pool's pods as a ServiceAccount of its own, which a RoleBinding in
/// the test namespace binds to the read-only ClusterRole <see cref="PickerClusterRole"/> shipped with the plugin's RBAC
/// manifest (the plugin may bind that role and no other). Where the cluster refuses the binding, the picker runs as
/// the namespace's default ServiceAccount; a picker that cannot read its pool never becomes Ready, which the tests
/// report as needing attestation rather than as a failure of the gateway.
/// </summary>
public static class TestInferencePool
{
    public const string PoolLabel = "inference-pool";
    public const int PickerPort = 9002;

    /// <summary>The read-only ClusterRole for endpoint pickers in sonobuoy/ai-conformance-rbac.yaml.</summary>
    public const string PickerClusterRole = "ai-conformance-picker";
    private const int PickerHealthPort = 9003;

    public static string PickerName(string pool) => $"{pool}-picker";

    /// <summary>A pool of <paramref name="replicas"/> serve-echo pods answering as backend <paramref name="pool"/> (and naming their pod).</summary>
    public static async Task EchoPoolAsync(TestNamespace ns, string pool, int replicas, string failureMode = "FailClose")
    {
        var spec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeEcho,
            ["--port", RoleWorkloads.Number(TestGateway.EchoPort), "--backend", pool], port: TestGateway.EchoPort);
        await ns.CreateAsync(Member(RoleWorkloads.Deployment(pool, replicas, spec), pool));
        await PickerAsync(ns, pool, PickerKind.Conformance);
        await ns.CreateAsync(Pool(pool, TestGateway.EchoPort, PickerName(pool), failureMode));
    }

    /// <summary>Adds the pool's label to the pods of <paramref name="deployment"/>.</summary>
    public static V1Deployment Member(V1Deployment deployment, string pool)
    {
        deployment.Spec.Template.Metadata.Labels[PoolLabel] = pool;
        return deployment;
    }

    /// <summary>The InferencePool itself; <paramref name="picker"/> null leaves the picker reference out.</summary>
    public static InferencePool Pool(string name, int targetPort, string? picker, string failureMode = "FailClose")
    {
        var spec = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [PoolLabel] = name } },
            ["targetPorts"] = new JsonArray(new JsonObject { ["number"] = targetPort }),
        };
        if (picker is not null)
            spec["endpointPickerRef"] = new JsonObject { ["name"] = picker, ["port"] = new JsonObject { ["number"] = PickerPort }, ["failureMode"] = failureMode };
        Evidence.Block($"InferencePool {name}", spec.ToJsonString(), "json");
        return new InferencePool { Metadata = new V1ObjectMeta { Name = name }, Spec = spec };
    }

    /// <summary>The pool's endpoint picker: Deployment and Service named <c>&lt;pool&gt;-picker</c>.</summary>
    public static async Task PickerAsync(TestNamespace ns, string pool, PickerKind kind)
    {
        var image = DefaultImages.Resolve(kind == PickerKind.Conformance ? DefaultImages.ConformancePickerKey : DefaultImages.EndpointPickerKey, ns.Run.Configuration);
        var name = PickerName(pool);
        Evidence.Step($"Deploy endpoint picker {name} ({kind}, {image}) for pool {pool}");
        var labels = new Dictionary<string, string> { [RoleWorkloads.AppLabel] = name };
        var account = await PickerAccountAsync(ns, name);
        await ns.CreateAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        TerminationGracePeriodSeconds = 5,
                        ServiceAccountName = account,
                        ImagePullSecrets = DefaultImages.PullSecrets(ns.Run.Configuration) is { Count: > 0 } secrets
                            ? [.. secrets.Select(secret => new V1LocalObjectReference { Name = secret })] : null,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "epp",
                                Image = image,
                                Args = ["--pool-name", pool, "--pool-namespace", ns.Name, "--zap-encoder", "json",
                                    "--grpc-port", RoleWorkloads.Number(PickerPort), "--grpc-health-port", RoleWorkloads.Number(PickerHealthPort)],
                                Ports = [new V1ContainerPort { ContainerPort = PickerPort, Name = "grpc" }, new V1ContainerPort { ContainerPort = PickerHealthPort, Name = "grpc-health" }],
                                ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = PickerPort }, PeriodSeconds = 2 },
                            },
                        ],
                    },
                },
            },
        });
        await ns.CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec
            {
                Selector = labels,
                Ports = [new V1ServicePort { Name = "grpc", Port = PickerPort, TargetPort = PickerPort, Protocol = "TCP", AppProtocol = "http2" }],
            },
        });
    }

    /// <summary>
    /// The picker's identity: a ServiceAccount <paramref name="name"/> bound in the namespace to <see cref="PickerClusterRole"/>;
    /// null (the namespace's default account) when the cluster refuses either, which the evidence says.
    /// </summary>
    private static async Task<string?> PickerAccountAsync(TestNamespace ns, string name)
    {
        try
        {
            await ns.CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } });
            await ns.CreateAsync(new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = name },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = PickerClusterRole },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns.Name }],
            });
            return name;
        }
        catch (HttpOperationException refused) when (refused.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            Evidence.Observed($"picker {name}'s identity", $"refused ({StatusMessage(refused)}); the picker runs as the namespace's default ServiceAccount, " +
                $"which may not read its pool: apply the current sonobuoy/ai-conformance-rbac.yaml (ClusterRole {PickerClusterRole}, and `bind` on it for the plugin)");
            return null;
        }
    }

    private static string StatusMessage(HttpOperationException error)
    {
        try
        {
            return KubernetesJson.Deserialize<V1Status>(error.Response.Content)?.Message ?? error.Response.Content;
        }
        catch (System.Text.Json.JsonException)
        {
            return error.Response.Content;
        }
    }

    /// <summary>
    /// Returns the pods of the pools (and their pickers) once every one of them is Ready. Pickers that never become
    /// Ready end the test as needing attestation: they may lack read access to their pool, which the plugin cannot grant.
    /// </summary>
    public static async Task<IReadOnlyList<V1Pod>> WaitForReadyAsync(TestNamespace ns, int members, params string[] apps)
    {
        var pickers = apps.Where(app => app.EndsWith("-picker", StringComparison.Ordinal)).ToArray();
        if (pickers.Length > 0)
        {
            try
            {
                await WaitForAppsAsync(ns, pickers.Length, pickers);
            }
            catch (NUnit.Framework.AssertionException unready)
            {
                var (pods, _) = await ns.Objects<V1Pod>().ListAsync($"{RoleWorkloads.AppLabel} in ({string.Join(",", pickers)})", null, ns.Cancellation);
                var asDefault = pods.Any(pod => pod.Spec.ServiceAccountName is null or "default");
                var identity = asDefault
                    ? $"as the default ServiceAccount of namespace {ns.Name}, since the cluster refused to let the plugin bind ClusterRole {PickerClusterRole} (see the evidence)"
                    : $"as its own ServiceAccount, bound in namespace {ns.Name} to ClusterRole {PickerClusterRole}";
                Outcome.NeedsAttestation($"the inference extension's endpoint picker never became Ready ({unready.Message.Split('\n')[0]}); " +
                    $"it reads its InferencePool and the pool's pods {identity}: check that the current sonobuoy/ai-conformance-rbac.yaml is applied " +
                    "and the picker's log, or attest with a request routed through an InferencePool of the platform's inference gateway");
            }
        }
        var ready = await WaitForAppsAsync(ns, members, apps);
        if (pickers.Length > 0) await TestGateway.WaitForEndpointsAsync(ns, pickers);
        return ready;
    }

    private static async Task<IReadOnlyList<V1Pod>> WaitForAppsAsync(TestNamespace ns, int members, string[] apps)
    {
        var pods = await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: $"{RoleWorkloads.AppLabel} in ({string.Join(",", apps)})"))
            .Until($"{members} pod(s) of {string.Join(", ", apps)} to be Ready", seen => seen.Count(IsReady) >= members
                && apps.All(app => seen.Any(pod => pod.Metadata.Labels?[RoleWorkloads.AppLabel] == app && IsReady(pod))))
            .DescribedBy(PodWaits.Describe)
            .Within(ns.Timeouts.PodRunning)
            .Async(ns.Cancellation);
        return [.. pods.Where(IsReady)];
    }

    public static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Waits for the pool's status entry for <paramref name="gateway"/> to satisfy <paramref name="condition"/>.</summary>
    public static async Task<RouteParentStatus> WaitForStatusAsync(TestNamespace ns, TestGateway gateway, string pool, string what,
        Func<RouteParentStatus, bool> condition)
    {
        var pools = await Wait.For(ns.Objects<InferencePool>().Watchable(pool))
            .Until($"InferencePool {pool} to be {what} for Gateway {gateway.Namespace}/{gateway.Name}", seen => seen.Any(p =>
                InferenceApi.ParentStatus(p, gateway.Namespace, gateway.Name) is { } status && condition(status)))
            .DescribedBy(seen => seen.Count == 0 ? "no such pool" : InferenceApi.DescribeParents(seen[0]))
            .Within(ns.Timeouts.RouteAccepted)
            .Async(ns.Cancellation);
        Evidence.Observed($"InferencePool {pool}", InferenceApi.DescribeParents(pools[0]));
        return InferenceApi.ParentStatus(pools[0], gateway.Namespace, gateway.Name)!;
    }
}
