using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>The built-in resource types the behaviours read and write.</summary>
public static class Kinds
{
    public static readonly ResourceKind Namespace = new("", "v1", "Namespace", "namespaces", false);
    public static readonly ResourceKind Node = new("", "v1", "Node", "nodes", false);
    public static readonly ResourceKind Pod = new("", "v1", "Pod", "pods", true);
    public static readonly ResourceKind Service = new("", "v1", "Service", "services", true);
    public static readonly ResourceKind ServiceAccount = new("", "v1", "ServiceAccount", "serviceaccounts", true);
    public static readonly ResourceKind ConfigMap = new("", "v1", "ConfigMap", "configmaps", true);
    public static readonly ResourceKind Event = new("", "v1", "Event", "events", true);
    public static readonly ResourceKind Job = new("batch", "v1", "Job", "jobs", true);
    public static readonly ResourceKind Deployment = new("apps", "v1", "Deployment", "deployments", true);
    public static readonly ResourceKind ReplicaSet = new("apps", "v1", "ReplicaSet", "replicasets", true);
    public static readonly ResourceKind StatefulSet = new("apps", "v1", "StatefulSet", "statefulsets", true);
    public static readonly ResourceKind EndpointSlice = new("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true);
    public static readonly ResourceKind ResourceClaim = new("resource.k8s.io", "v1", "ResourceClaim", "resourceclaims", true);
    public static readonly ResourceKind ResourceClaimTemplate = new("resource.k8s.io", "v1", "ResourceClaimTemplate", "resourceclaimtemplates", true);
    public static readonly ResourceKind ResourceSlice = new("resource.k8s.io", "v1", "ResourceSlice", "resourceslices", false);
    public static readonly ResourceKind DeviceClass = new("resource.k8s.io", "v1", "DeviceClass", "deviceclasses", false);
    public static readonly ResourceKind RuntimeClass = new("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false);
}
