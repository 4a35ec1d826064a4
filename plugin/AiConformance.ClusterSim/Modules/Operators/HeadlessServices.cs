using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The headless Service an operator creates for a custom resource so that its pods resolve each other by hostname:
/// no cluster IP, not-ready pods published (peers must find each other before they are ready), owned by the resource
/// unless the operator's fault drops the owner reference.
/// </summary>
public static class HeadlessServices
{
    public static JsonObject For(JsonObject owner, JsonObject selector, JsonObject? labels, IOperatorFault fault)
    {
        var metadata = new JsonObject { ["name"] = owner.Name(), ["namespace"] = owner.Namespace() };
        if (labels is not null) metadata["labels"] = labels;
        if (fault.OwnsServices) metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(owner));
        return new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["clusterIP"] = "None", ["publishNotReadyAddresses"] = true, ["selector"] = selector },
        };
    }
}
