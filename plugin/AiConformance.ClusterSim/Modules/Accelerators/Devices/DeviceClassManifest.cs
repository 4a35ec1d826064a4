using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Modules.Accelerators.Devices;

internal static class DeviceClassManifest
{
    public static JsonObject Of(string name, string celExpression) => new()
    {
        ["apiVersion"] = "resource.k8s.io/v1",
        ["kind"] = "DeviceClass",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["selectors"] = new JsonArray(new JsonObject { ["cel"] = new JsonObject { ["expression"] = celExpression } }),
        },
    };
}
