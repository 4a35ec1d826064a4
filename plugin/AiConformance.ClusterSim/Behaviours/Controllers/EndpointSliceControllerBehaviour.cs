using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Controllers;

/// <summary>
/// The EndpointSlice controller: for each Service with a selector, one IPv4 EndpointSlice listing the selected pods
/// that have an address and are not finished, with the Service's ports resolved to target ports. An endpoint is
/// serving when its pod is Ready, ready when it is serving and not terminating (or always, with
/// <c>publishNotReadyAddresses</c>), and terminating once its pod is being deleted; pods of a headless Service whose
/// subdomain is the Service's name carry their hostname. Option <c>fault</c>: <see cref="EndpointSliceFaults"/>.
/// </summary>
public sealed class EndpointSliceControllerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "endpointslice-controller";
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string HeadlessLabel = "service.kubernetes.io/headless";
    private const string ManagedBy = "endpointslice-controller.k8s.io";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Service, Kinds.Pod, Kinds.EndpointSlice];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var pods = Store.List(Kinds.Pod);
        var fault = Cluster.Options<EndpointSliceControllerOptions>(ComponentName).Fault;
        var slices = Store.List(Kinds.EndpointSlice, null, s => s.Label("endpointslice.kubernetes.io/managed-by") == ManagedBy);
        foreach (var service in Store.List(Kinds.Service).Where(s => !s.IsDeleting()))
        {
            if (service["spec"]?["selector"] is not JsonObject { Count: > 0 } map) continue;
            var selector = LabelSelector.FromMap(map);
            var selected = pods.Where(p => p.Namespace() == service.Namespace() && p.PodIp() is { Length: > 0 } && !p.IsTerminal()
                                           && selector.Matches(p))
                .OrderBy(p => p.Name(), StringComparer.Ordinal).ToList();
            var existing = slices.FirstOrDefault(s => s.Namespace() == service.Namespace() && s.Label(ServiceNameLabel) == service.Name());
            var endpoints = fault.Endpoints(new JsonArray([.. selected.Select(p => (JsonNode)Endpoint(p, service))]), existing);
            var ports = new JsonArray([.. (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(port => (JsonNode)Port(port, selected))]);
            if (existing is null)
            {
                Store.Create(Kinds.EndpointSlice, new JsonObject
                {
                    ["apiVersion"] = "discovery.k8s.io/v1",
                    ["kind"] = "EndpointSlice",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = $"{service.Name()}-{Names.Suffix()}",
                        ["generateName"] = service.Name() + "-",
                        ["namespace"] = service.Namespace(),
                        ["labels"] = Labels(service),
                        ["ownerReferences"] = new JsonArray(Json.OwnerReference(service)),
                    },
                    ["addressType"] = "IPv4",
                    ["endpoints"] = endpoints,
                    ["ports"] = ports,
                });
                continue;
            }
            if (JsonNode.DeepEquals(existing["endpoints"] ?? new JsonArray(), endpoints) && JsonNode.DeepEquals(existing["ports"] ?? new JsonArray(), ports)
                && JsonNode.DeepEquals(existing["metadata"]?["labels"], Labels(service))) continue;
            Store.Mutate(Kinds.EndpointSlice, existing.Namespace(), existing.Name(), s =>
            {
                s["endpoints"] = endpoints.DeepClone();
                s["ports"] = ports.DeepClone();
                s.Metadata()["labels"] = Labels(service);
            });
        }
        return Task.CompletedTask;
    }

    private static JsonObject Labels(JsonObject service)
    {
        var labels = new JsonObject { [ServiceNameLabel] = service.Name(), ["endpointslice.kubernetes.io/managed-by"] = ManagedBy };
        if (IsHeadless(service)) labels[HeadlessLabel] = "";
        return labels;
    }

    private static bool IsHeadless(JsonObject service) => (string?)service["spec"]?["clusterIP"] == "None";

    private static JsonObject Endpoint(JsonObject pod, JsonObject service)
    {
        var terminating = pod.IsDeleting();
        var serving = pod.IsReady();
        var ready = (bool?)service["spec"]?["publishNotReadyAddresses"] == true || (serving && !terminating);
        var endpoint = new JsonObject
        {
            ["addresses"] = new JsonArray(pod.PodIp()),
            ["conditions"] = new JsonObject { ["ready"] = ready, ["serving"] = serving, ["terminating"] = terminating },
            ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = pod.Namespace(), ["name"] = pod.Name(), ["uid"] = pod.Uid() },
        };
        if (IsHeadless(service) && (string?)pod["spec"]?["hostname"] is { Length: > 0 } hostname && (string?)pod["spec"]?["subdomain"] == service.Name())
            endpoint["hostname"] = hostname;
        if (pod.NodeName() is { } node) endpoint["nodeName"] = node;
        return endpoint;
    }

    private static JsonObject Port(JsonObject servicePort, IReadOnlyList<JsonObject> pods)
    {
        var target = servicePort["targetPort"] ?? servicePort["port"];
        int? number = target?.GetValueKind() == System.Text.Json.JsonValueKind.Number ? JsonNumber.Int(target) : null;
        if (number is null && (string?)target is { } named)
            number = pods.SelectMany(p => (p["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
                .SelectMany(c => (c["ports"] as JsonArray ?? []).OfType<JsonObject>())
                .Where(p => (string?)p["name"] == named).Select(p => JsonNumber.Int(p["containerPort"])).FirstOrDefault()
                ?? (int.TryParse(named, out var parsed) ? parsed : null);
        var port = new JsonObject { ["name"] = (string?)servicePort["name"] ?? "", ["port"] = number, ["protocol"] = (string?)servicePort["protocol"] ?? "TCP" };
        if ((string?)servicePort["appProtocol"] is { } appProtocol) port["appProtocol"] = appProtocol;
        return port;
    }
}
