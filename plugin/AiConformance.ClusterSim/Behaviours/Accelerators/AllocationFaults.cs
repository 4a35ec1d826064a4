using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours.Accelerators;

/// <summary>
/// DRA faults for broken scenarios, read from component options:
/// <list type="bullet">
/// <item>scheduler <c>reuseAllocatedDevicesOfClass: &lt;DeviceClass&gt;</c>: claims for that class are allocated as if
/// no device were in use, so two claims can get the same device;</item>
/// <item>resourceclaim-controller <c>deallocateClaims: false</c>: claims keep their allocation and reservations after
/// their pods are gone (only deleting a claim frees its device).</item>
/// </list>
/// </summary>
public static class AllocationFaults
{
    public static bool ReusesAllocatedDevices(SimulatedCluster cluster, string component, JsonObject claim)
    {
        var deviceClass = cluster.Component(component)?.Get("reuseAllocatedDevicesOfClass");
        if (deviceClass is null) return false;
        var requests = (claim["spec"]?["devices"]?["requests"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return requests.Count > 0 && requests.All(request => (string?)request["exactly"]?["deviceClassName"] == deviceClass);
    }

    public static bool NeverDeallocates(SimulatedCluster cluster, string component) =>
        !(cluster.Component(component)?.GetBool("deallocateClaims", true) ?? true);
}
