using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>The Gateway API kinds the gateway module reads and writes, and the CRD folder that serves them.</summary>
public static class GatewayKinds
{
    public const string Group = "gateway.networking.k8s.io";

    /// <summary>The embedded CRDs (Data/crds) a scenario installs for this module.</summary>
    public const string CrdFolder = "gateway-api-v1.6.1-standard";

    public static readonly ResourceKind GatewayClass = new(Group, "v1", "GatewayClass", "gatewayclasses", false);
    public static readonly ResourceKind Gateway = new(Group, "v1", "Gateway", "gateways", true);
    public static readonly ResourceKind HttpRoute = new(Group, "v1", "HTTPRoute", "httproutes", true);
}
