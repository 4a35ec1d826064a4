using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>Kueue's kinds as the controller reads and writes them (the store keeps one copy per group and plural).</summary>
public static class KueueKinds
{
    public const string Group = "kueue.x-k8s.io";
    public const string CrdFolder = "kueue-v0.19.2";
    public const string QueueNameLabel = "kueue.x-k8s.io/queue-name";
    public const string JobUidLabel = "kueue.x-k8s.io/job-uid";

    public static readonly ResourceKind ResourceFlavor = new(Group, "v1beta2", "ResourceFlavor", "resourceflavors", false);
    public static readonly ResourceKind ClusterQueue = new(Group, "v1beta2", "ClusterQueue", "clusterqueues", false);
    public static readonly ResourceKind LocalQueue = new(Group, "v1beta2", "LocalQueue", "localqueues", true);
    public static readonly ResourceKind Workload = new(Group, "v1beta2", "Workload", "workloads", true);
}
