using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>
/// How the Gateway's address is published: a load-balancer IP, the DNS name of an in-cluster Service, or not at all
/// (the Gateway is reached only through its in-cluster Service).
/// </summary>
public enum GatewayAddressKind
{
    IPAddress,
    Hostname,
    ServiceOnly,
}

/// <summary>
/// The <c>gateway-api</c> component's options: the GatewayClass it installs, its controller name, how each Gateway's
/// address is published (<c>address: ip|hostname|service</c>) and a named fault (<see cref="GatewayFaults"/>).
/// </summary>
public sealed record GatewayOptions(string ClassName, string ControllerName, GatewayAddressKind Address, IGatewayFault Fault)
    : IComponentOptions<GatewayOptions>
{
    private static readonly Dictionary<string, GatewayAddressKind> Addresses = new(StringComparer.Ordinal)
    {
        ["ip"] = GatewayAddressKind.IPAddress,
        ["hostname"] = GatewayAddressKind.Hostname,
        ["service"] = GatewayAddressKind.ServiceOnly,
    };

    public static GatewayOptions Read(ComponentOptionReader options) => new(
        options.Text("gatewayClass", "sim-gateway"),
        options.Text("controllerName", "gateway.aiconformance.dev/sim-controller"),
        options.OneOf("address", GatewayAddressKind.IPAddress, Addresses),
        options.Fault(GatewayFaults.Catalog, GatewayFaults.None));
}
