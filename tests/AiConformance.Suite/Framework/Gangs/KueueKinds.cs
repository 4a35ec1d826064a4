namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Kueue's kinds in the version the cluster serves: what the gang fixture writes (spec) and reads (status) is the
/// same in v1beta1 and v1beta2, so one <see cref="CustomObject"/> model serves both.
/// </summary>
public sealed record KueueKinds(string Version)
{
    public const string Group = "kueue.x-k8s.io";

    public ApiKind ResourceFlavor => new(Group, Version, "resourceflavors", "ResourceFlavor");
    public ApiKind ClusterQueue => new(Group, Version, "clusterqueues", "ClusterQueue");
    public ApiKind LocalQueue => new(Group, Version, "localqueues", "LocalQueue");
    public ApiKind Workload => new(Group, Version, "workloads", "Workload");
}
