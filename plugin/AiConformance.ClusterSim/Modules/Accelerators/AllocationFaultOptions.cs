using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Accelerators;

/// <summary>
/// The options of the <c>scheduler</c> component. For broken scenarios only: <c>reuseAllocatedDevicesOfClass:
/// &lt;DeviceClass&gt;</c> allocates claims for that class as if no device were in use, so two claims can get the
/// same device.
/// </summary>
public sealed record SchedulerOptions(string? ReuseAllocatedDevicesOfClass) : IComponentOptions<SchedulerOptions>
{
    public static SchedulerOptions Read(ComponentOptionReader options) => new(options.Text("reuseAllocatedDevicesOfClass"));

    /// <summary>Whether every request of <paramref name="claim"/> asks for the class whose in-use devices are ignored.</summary>
    public bool ReusesAllocatedDevices(JsonObject claim)
    {
        if (ReuseAllocatedDevicesOfClass is null) return false;
        var requests = (claim["spec"]?["devices"]?["requests"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return requests.Count > 0 && requests.All(request => (string?)request["exactly"]?["deviceClassName"] == ReuseAllocatedDevicesOfClass);
    }
}

/// <summary>
/// The options of the <c>resourceclaim-controller</c> component. For broken scenarios only: <c>deallocateClaims:
/// false</c> keeps claims' allocations and reservations after their pods are gone (only deleting a claim frees its
/// device).
/// </summary>
public sealed record ResourceClaimControllerOptions(bool DeallocateClaims) : IComponentOptions<ResourceClaimControllerOptions>
{
    public static ResourceClaimControllerOptions Read(ComponentOptionReader options) => new(options.Flag("deallocateClaims", true));
}
