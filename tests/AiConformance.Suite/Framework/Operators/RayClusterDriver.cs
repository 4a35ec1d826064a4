using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>A KubeRay RayCluster (<c>ray.io/v1</c>).</summary>
[KubernetesEntity(Group = "ray.io", ApiVersion = "v1", Kind = "RayCluster", PluralName = "rayclusters")]
public sealed class RayCluster : CustomObject;

/// <summary>
/// Drives KubeRay through a small RayCluster: a head and one worker group of one worker, with the Ray image of
/// <c>images.ray</c>. The invalid instance has two worker groups of the same name, which the CRD's schema allows and
/// KubeRay's RayCluster webhook denies ("worker group names must be unique"). Ready is what KubeRay reports:
/// <c>state: ready</c>, every desired worker ready, and its head pod (or its address) being one the RayCluster owns.
/// </summary>
public sealed class RayClusterDriver : IOperatorDriver
{
    private const string WorkerGroup = "workers";
    private const string RayVersion = "2.46.0";

    public string Kind => "RayCluster";

    public int ExpectedPods => 2;

    public string WhatIsInvalid => $"two worker groups named `{WorkerGroup}` (KubeRay requires unique worker group names; the CRD's schema does not)";

    public string CreatedFor(string name) => $"ray.io/cluster={name}";

    public async Task<string> CreateValidAsync(TestNamespace ns, string name)
    {
        var created = await ns.CreateAsync(new RayCluster { Metadata = new V1ObjectMeta { Name = name }, Spec = Spec(ns, Worker(ns)) });
        return created.Metadata.Uid;
    }

    public Task CreateInvalidAsync(TestNamespace ns, string name) =>
        ns.CreateAsync(new RayCluster { Metadata = new V1ObjectMeta { Name = name }, Spec = Spec(ns, Worker(ns), Worker(ns)) });

    public Task<string> WaitReadyAsync(TestNamespace ns, string name, IReadOnlyList<V1Pod> owned) =>
        OperatorStatus.WaitReadyAsync<RayCluster>(ns, name, "to report state ready, its worker ready and a head pod it owns", item => IsReady(item, owned), Describe);

    public async Task<bool> ExistsAsync(TestNamespace ns, string name) => await ns.Objects<RayCluster>().GetAsync(name, ns.Cancellation) is not null;

    public Task DeleteAsync(TestNamespace ns, string name) => ns.DeleteAsync<RayCluster>(name);

    private static bool IsReady(RayCluster cluster, IReadOnlyList<V1Pod> owned)
    {
        var status = cluster.Status;
        if ((string?)status?["state"] != "ready") return false;
        if ((int?)status["readyWorkerReplicas"] < (int?)status["desiredWorkerReplicas"]) return false;
        var head = status["head"] as JsonObject;
        return owned.Any(pod => pod.Metadata.Name == (string?)head?["podName"] || (pod.Status?.PodIP is { } ip && ip == (string?)head?["podIP"]));
    }

    private static string Describe(RayCluster cluster)
    {
        var status = cluster.Status;
        if (status is null) return $"RayCluster `{cluster.Metadata.Name}` has no status";
        return $"state={(string?)status["state"] ?? "(none)"}, readyWorkerReplicas={status["readyWorkerReplicas"]}/{status["desiredWorkerReplicas"]}, " +
               $"head={status["head"]?.ToJsonString() ?? "(none)"}; {cluster.DescribeCondition("HeadPodReady")}; {cluster.DescribeCondition("RayClusterProvisioned")}";
    }

    private static JsonObject Spec(TestNamespace ns, params JsonObject[] workerGroups) => new()
    {
        ["rayVersion"] = RayVersion,
        ["headGroupSpec"] = new JsonObject
        {
            ["rayStartParams"] = new JsonObject(),
            ["template"] = Template(ns, "ray-head", cpu: "500m", memory: "2Gi",
                new JsonArray(Port("gcs-server", 6379), Port("dashboard", 8265), Port("client", 10001))),
        },
        ["workerGroupSpecs"] = new JsonArray(workerGroups),
    };

    private static JsonObject Worker(TestNamespace ns) => new()
    {
        ["groupName"] = WorkerGroup,
        ["replicas"] = 1,
        ["minReplicas"] = 1,
        ["maxReplicas"] = 1,
        ["rayStartParams"] = new JsonObject(),
        ["template"] = Template(ns, "ray-worker", cpu: "250m", memory: "1Gi", null),
    };

    /// <summary>A pod template of the Ray image; memory requested is what Ray's processes need to start.</summary>
    private static JsonObject Template(TestNamespace ns, string container, string cpu, string memory, JsonArray? ports)
    {
        var spec = new JsonObject
        {
            ["name"] = container,
            ["image"] = DefaultImages.Resolve(DefaultImages.RayKey, ns.Run.Configuration),
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory },
                ["limits"] = new JsonObject { ["memory"] = memory },
            },
        };
        if (ports is not null) spec["ports"] = ports;
        var podSpec = new JsonObject { ["containers"] = new JsonArray(spec) };
        if (DefaultImages.PullSecrets(ns.Run.Configuration) is { Count: > 0 } secrets)
            podSpec["imagePullSecrets"] = new JsonArray([.. secrets.Select(secret => (JsonNode)new JsonObject { ["name"] = secret })]);
        return new JsonObject { ["spec"] = podSpec };
    }

    private static JsonObject Port(string name, int port) => new() { ["name"] = name, ["containerPort"] = port };
}
