using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>A pod bound to a simulated node, as its kubelet tracks it.</summary>
internal sealed class PodRun(string uid, string ns, string name, string node)
{
    public string Uid { get; } = uid;
    public string Namespace { get; } = ns;
    public string Name { get; } = name;
    public string Node { get; } = node;
    public DateTime SeenAt { get; } = DateTime.UtcNow;
    public DateTime? StartTime { get; set; }
    public bool SandboxReady { get; set; }
    public string? SandboxFailure { get; set; }
    public string PodIp { get; set; } = "";
    public string HostIp { get; set; } = "";
    public Network.PodSandbox? Sandbox { get; set; }
    public List<ContainerRun> InitContainers { get; } = [];
    public List<ContainerRun> Containers { get; } = [];
    public DateTime? DeletionSeenAt { get; set; }

    /// <summary>When every process of a deleted pod had ended (or its grace period ran out).</summary>
    public DateTime? StoppedAt { get; set; }

    public bool InitDone => InitContainers.All(c => c.Terminated && c.ExitCode == 0);

    public IEnumerable<ContainerRun> All => InitContainers.Concat(Containers);

    public void StopAll()
    {
        foreach (var container in All) container.Stop?.Cancel();
    }

    public static List<ContainerRun> ContainersOf(JsonObject pod, string field, bool isInit) =>
        (pod["spec"]?[field] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new ContainerRun((string?)c["name"] ?? "", c, isInit)).ToList();
}
