using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>
/// Which routes attach to which Gateway listener, as the Gateway API says: a parentRef names the Gateway (its namespace
/// defaults to the route's), optionally a listener (<c>sectionName</c>) or <c>port</c>; the listener's
/// <c>allowedRoutes.namespaces</c> (Same by default, All, or a Selector on the route namespace's labels) must admit
/// the route's namespace.
/// </summary>
public static class RouteAttachment
{
    /// <summary>The parentRefs of <paramref name="route"/> that name <paramref name="gateway"/>.</summary>
    public static IEnumerable<JsonObject> ParentRefsTo(JsonObject route, JsonObject gateway) =>
        (route["spec"]?["parentRefs"] as JsonArray ?? []).OfType<JsonObject>().Where(parent =>
            ((string?)parent["group"] ?? GatewayKinds.Group) == GatewayKinds.Group
            && ((string?)parent["kind"] ?? "Gateway") == "Gateway"
            && (string?)parent["name"] == gateway.Name()
            && ((string?)parent["namespace"] ?? route.Namespace()) == gateway.Namespace());

    public static IEnumerable<JsonObject> Listeners(JsonObject gateway) =>
        (gateway["spec"]?["listeners"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The listeners of <paramref name="gateway"/> that <paramref name="parentRef"/> of <paramref name="route"/> attaches to.</summary>
    public static IEnumerable<JsonObject> ListenersFor(JsonObject route, JsonObject parentRef, JsonObject gateway, IClusterStore store) =>
        Listeners(gateway).Where(listener =>
            ((string?)parentRef["sectionName"] is not { } section || section == (string?)listener["name"])
            && (JsonNumber.Int(parentRef["port"]) is not { } port || port == JsonNumber.Int(listener["port"]))
            && Admits(listener, gateway, route, store));

    /// <summary>The routes attached to one listener of the Gateway.</summary>
    public static IEnumerable<JsonObject> RoutesOn(JsonObject gateway, JsonObject listener, IClusterStore store) =>
        store.List(GatewayKinds.HttpRoute).Where(route => !route.IsDeleting()
            && ParentRefsTo(route, gateway).Any(parent => ListenersFor(route, parent, gateway, store).Any(l => (string?)l["name"] == (string?)listener["name"])));

    private static bool Admits(JsonObject listener, JsonObject gateway, JsonObject route, IClusterStore store)
    {
        var namespaces = listener["allowedRoutes"]?["namespaces"];
        return ((string?)namespaces?["from"] ?? "Same") switch
        {
            "All" => true,
            "Selector" => store.Get(Kinds.Namespace, null, route.Namespace() ?? "") is { } ns
                          && LabelSelector.FromLabelSelector(namespaces?["selector"]).Matches(ns),
            _ => route.Namespace() == gateway.Namespace(),
        };
    }
}
