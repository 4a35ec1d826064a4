using System.Text.Json.Nodes;
using AiConformance.Workloads;
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
/// (a Deployment running the picker image with <c>--pool-name</c>/<c>--pool-namespace</c>, a Service on the gRPC
/// port 9002, and a Role letting the namespace's default ServiceAccount read pools and pods).
/// </summary>
public static class TestInferencePool
{
    public const string PoolLabel = "inference-pool";
    public const int PickerPort = 9002;
    private const int PickerHealthPort = 9003;
    private const string PickerRole = "endpoint-picker";

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

    /// <summary>The pool's endpoint picker (Deployment and Service named <c>&lt;pool&gt;-picker</c>) and, once per namespace, its RBAC.</summary>
    public static async Task PickerAsync(TestNamespace ns, string pool, PickerKind kind)
    {
        await PickerRbacAsync(ns);
        var image = DefaultImages.Resolve(kind == PickerKind.Conformance ? DefaultImages.ConformancePickerKey : DefaultImages.EndpointPickerKey, ns.Run.Configuration);
        var name = PickerName(pool);
        Evidence.Step($"Deploy endpoint picker {name} ({kind}, {image}) for pool {pool}");
        var labels = new Dictionary<string, string> { [RoleWorkloads.AppLabel] = name };
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

    /// <summary>The picker reads its pool and the pool's pods: a Role for that, bound to the namespace's default ServiceAccount.</summary>
    private static async Task PickerRbacAsync(TestNamespace ns)
    {
        if (await ns.Objects<V1Role>().GetAsync(PickerRole, ns.Cancellation) is not null) return;
        await ns.CreateAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = PickerRole },
            Rules =
            [
                new V1PolicyRule { ApiGroups = [InferenceApi.Group], Resources = ["inferencepools"], Verbs = ["get", "list", "watch"] },
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list", "watch"] },
            ],
        });
        await ns.CreateAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = PickerRole },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = PickerRole },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = ns.Name }],
        });
    }

    /// <summary>Returns the pods of the pools (and their pickers) once every one of them is Ready.</summary>
    public static async Task<IReadOnlyList<V1Pod>> WaitForReadyAsync(TestNamespace ns, int members, params string[] apps)
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
