using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gateways;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>
/// The gateway implementation's support of the Gateway API Inference Extension (component <c>inference-extension</c>,
/// next to <c>gateway-api</c>): it lets HTTPRoutes name InferencePools as backends (<see cref="InferencePoolBackend"/>),
/// runs the extension's endpoint pickers in their pods (the conformance picker steering by header, the EPP choosing by
/// metrics: <see cref="EndpointPickerProgram"/>), and writes each pool's <c>status.parents</c> as the extension asks:
/// one entry per Gateway of this implementation whose attached routes reference the pool, with <c>Accepted</c>
/// (<c>HTTPRouteNotAccepted</c> when no such route is accepted) and <c>ResolvedRefs</c> (<c>InvalidExtensionRef</c>
/// when the picker reference is missing or names no Service), leaving other controllers' entries alone.
/// </summary>
public sealed class InferencePoolController : ReconcilingBehaviour
{
    public const string ComponentName = "inference-extension";

    /// <summary>The extension's images whose pods run a modelled picker, by the choice they make.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IEndpointChoice>> PickerImages = new Dictionary<string, Func<IEndpointChoice>>
    {
        ["*/gateway-api-inference-extension/lwepp:*"] = () => new HeaderSteeredChoice(),
        ["*/gateway-api-inference-extension/epp:*"] = () => new MetricAwareChoice(),
    };

    private InferenceExtensionOptions options = null!;
    private GatewayOptions gateway = null!;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } =
        [InferencePoolKinds.InferencePool, GatewayKinds.HttpRoute, GatewayKinds.Gateway, Kinds.Service];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (options is null)
        {
            options = Cluster.Options<InferenceExtensionOptions>(ComponentName);
            gateway = Cluster.Options<GatewayOptions>(GatewayController.ComponentName);
            foreach (var (image, choice) in PickerImages) Cluster.Programs.Install(image, new EndpointPickerProgram(choice()));
            Cluster.GatewayBackends.Install(ComponentName, new InferencePoolBackend(Cluster, options.Fault));
        }
        var classes = Store.List(GatewayKinds.GatewayClass).Where(c => (string?)c["spec"]?["controllerName"] == gateway.ControllerName)
            .Select(c => c.Name()).ToHashSet(StringComparer.Ordinal);
        var gateways = Store.List(GatewayKinds.Gateway).Where(g => !g.IsDeleting() && classes.Contains((string?)g["spec"]?["gatewayClassName"] ?? "")).ToList();
        var routes = Store.List(GatewayKinds.HttpRoute).Where(r => !r.IsDeleting()).ToList();
        foreach (var pool in Store.List(InferencePoolKinds.InferencePool).Where(p => !p.IsDeleting())) WriteStatus(pool, gateways, routes);
        return Task.CompletedTask;
    }

    private void WriteStatus(JsonObject pool, List<JsonObject> gateways, List<JsonObject> routes)
    {
        var generation = Conditions.Generation(pool);
        var referencing = routes.Where(route => route.Namespace() == pool.Namespace() && References(route, pool)).ToList();
        var resolved = PickerProblem(pool);
        var mine = new List<JsonObject>();
        foreach (var parent in gateways.Where(g => referencing.Any(route => RouteAttachment.ParentRefsTo(route, g).Any())))
        {
            var accepted = referencing.Any(route => Accepted(route, parent));
            mine.Add(new JsonObject
            {
                ["parentRef"] = new JsonObject { ["group"] = GatewayKinds.Group, ["kind"] = "Gateway", ["name"] = parent.Name(), ["namespace"] = parent.Namespace() },
                ["controllerName"] = gateway.ControllerName,
                ["conditions"] = new JsonArray(
                    Conditions.Condition("Accepted", accepted, accepted ? "Accepted" : "HTTPRouteNotAccepted",
                        accepted ? "InferencePool has been accepted by the Gateway" : "no HTTPRoute referencing the InferencePool is accepted by the Gateway", generation),
                    Conditions.Condition("ResolvedRefs", resolved is null, resolved is null ? "ResolvedRefs" : "InvalidExtensionRef",
                        resolved ?? "endpoint picker reference resolved", generation)),
            });
        }
        var previous = pool["status"]?["parents"] as JsonArray;
        var parents = Conditions.MergeParents(previous, mine, gateway.ControllerName);
        if (JsonNode.DeepEquals(parents, previous) || (previous is null && parents.Count == 0)) return;
        Store.Mutate(InferencePoolKinds.InferencePool, pool.Namespace(), pool.Name(), stored => stored["status"] = new JsonObject { ["parents"] = parents }, statusOnly: true);
    }

    private static bool References(JsonObject route, JsonObject pool) =>
        (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(BackendRefs.Of).Any(backend =>
            (string?)backend["group"] == InferencePoolKinds.Group && (string?)backend["kind"] == "InferencePool"
            && (string?)backend["name"] == pool.Name() && ((string?)backend["namespace"] ?? route.Namespace()) == pool.Namespace());

    /// <summary>Whether the gateway's controller accepted the route for <paramref name="parent"/> (its parent status says so).</summary>
    private bool Accepted(JsonObject route, JsonObject parent) =>
        (route["status"]?["parents"] as JsonArray ?? []).OfType<JsonObject>().Any(status =>
            (string?)status["controllerName"] == gateway.ControllerName && (string?)status["parentRef"]?["name"] == parent.Name()
            && ((string?)status["parentRef"]?["namespace"] ?? route.Namespace()) == parent.Namespace()
            && (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => (string?)c["type"] == "Accepted" && (string?)c["status"] == "True"));

    /// <summary>What is wrong with the pool's picker reference, or null when it names an existing Service.</summary>
    private string? PickerProblem(JsonObject pool)
    {
        if (InferencePoolKinds.PickerRef(pool) is not { } picker) return "the InferencePool has no endpointPickerRef";
        var kind = (string?)picker["kind"] ?? "Service";
        var name = (string?)picker["name"] ?? "";
        if (((string?)picker["group"] ?? "") != "" || kind != "Service") return $"endpointPickerRef kind {kind} is not supported";
        return Store.Get(Kinds.Service, pool.Namespace(), name) is null ? $"endpoint picker Service {pool.Namespace()}/{name} not found" : null;
    }
}
