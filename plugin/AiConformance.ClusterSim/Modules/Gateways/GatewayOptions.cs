using AiConformance.ClusterSim.Scenarios;

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
{
    public static readonly IReadOnlyList<string> Keys = ["gatewayClass", "controllerName", "address", "fault"];

    public static GatewayOptions From(ComponentOptions? options) => new(
        options?.Get("gatewayClass") ?? "sim-gateway",
        options?.Get("controllerName") ?? "gateway.aiconformance.dev/sim-controller",
        options?.Get("address") switch
        {
            "hostname" => GatewayAddressKind.Hostname,
            "service" => GatewayAddressKind.ServiceOnly,
            _ => GatewayAddressKind.IPAddress,
        },
        GatewayFaults.Named(options?.Get("fault")) ?? GatewayFaults.None);

    /// <summary>What is wrong with the options, one line each (unknown keys, values out of their set).</summary>
    public static IEnumerable<string> Problems(string component, ComponentOptions options)
    {
        foreach (var key in (options.Options ?? []).Keys.Where(key => !Keys.Contains(key)))
            yield return $"components.{component}.options.{key} is not an option of {component}; known: {string.Join(", ", Keys)}";
        if (options.Get("address") is { } address && address is not ("ip" or "hostname" or "service"))
            yield return $"components.{component}.options.address '{address}' must be ip, hostname or service";
        if (options.Get("fault") is { } fault && GatewayFaults.Named(fault) is null)
            yield return $"components.{component}.options.fault '{fault}' is not a gateway fault; known: {string.Join(", ", GatewayFaults.Names)}";
    }
}
