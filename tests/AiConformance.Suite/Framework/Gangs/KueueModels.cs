using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// A Kueue object: what the gang fixture writes (spec) and reads (status) is the same in v1beta1 and v1beta2, so one
/// shape serves both; each served version costs one small class naming it.
/// </summary>
public abstract class KueueObject : CustomResource;

/// <summary>The Kueue kinds of one served version, for <see cref="KueueGang{TFlavor, TClusterQueue, TLocalQueue, TWorkload}"/>.</summary>
public static class KueueV1Beta2
{
    private const string Group = "kueue.x-k8s.io";
    private const string Version = "v1beta2";

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "ResourceFlavor", PluralName = "resourceflavors")]
    public sealed class ResourceFlavor : KueueObject;

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "ClusterQueue", PluralName = "clusterqueues")]
    public sealed class ClusterQueue : KueueObject;

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "LocalQueue", PluralName = "localqueues")]
    public sealed class LocalQueue : KueueObject;

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "Workload", PluralName = "workloads")]
    public sealed class Workload : KueueObject;
}

/// <summary>Kueue's older served version, used where v1beta2 is not served.</summary>
public static class KueueV1Beta1
{
    private const string Group = "kueue.x-k8s.io";
    private const string Version = "v1beta1";

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "ResourceFlavor", PluralName = "resourceflavors")]
    public sealed class ResourceFlavor : KueueObject;

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "ClusterQueue", PluralName = "clusterqueues")]
    public sealed class ClusterQueue : KueueObject;

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "LocalQueue", PluralName = "localqueues")]
    public sealed class LocalQueue : KueueObject;

    [KubernetesEntity(Group = Group, ApiVersion = Version, Kind = "Workload", PluralName = "workloads")]
    public sealed class Workload : KueueObject;
}
