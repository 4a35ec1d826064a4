using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The headless Service an operator creates for a custom resource so that its pods resolve each other by hostname:
/// no cluster IP, not-ready pods published (peers must find each other before they are ready), owned by the resource
/// unless the operator's fault drops the owner reference. Named after the resource unless <paramref name="name"/> says
/// otherwise (the training-operator's one per replica).
/// </summary>
public static class HeadlessServices
{
    public static JsonObject For(JsonObject owner, JsonObject selector, JsonObject? labels, IOperatorFault fault, string? name = null, JsonArray? ports = null)
    {
        var metadata = new JsonObject { ["name"] = name ?? owner.Name(), ["namespace"] = owner.Namespace() };
        if (labels is not null) metadata["labels"] = labels;
        if (fault.OwnsServices) metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(owner));
        var spec = new JsonObject { ["clusterIP"] = "None", ["publishNotReadyAddresses"] = true, ["selector"] = selector };
        if (ports is not null) spec["ports"] = ports;
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Service", ["metadata"] = metadata, ["spec"] = spec };
    }
}
