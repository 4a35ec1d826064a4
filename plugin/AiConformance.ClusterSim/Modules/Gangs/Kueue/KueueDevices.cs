using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// Kueue's DRA support: its Configuration (ConfigMap <c>kueue-system/kueue-manager-config</c>, as its manifests install
/// it) maps DeviceClasses to quota resources, and a pod set's devices requested through ResourceClaimTemplates count
/// against that resource's quota like any request, one per device. Devices of unmapped classes are not counted.
/// </summary>
public static class KueueDevices
{
    public const string ConfigNamespace = "kueue-system";
    public const string ConfigMapName = "kueue-manager-config";
    public const string ConfigKey = "controller_manager_config.yaml";

    /// <summary>The devices one pod of <paramref name="podSpec"/> requests, by the quota resource their DeviceClass maps to.</summary>
    public static Dictionary<string, decimal> PerPod(IClusterStore store, string? ns, JsonNode? podSpec, IReadOnlyDictionary<string, string> resourceOfClass)
    {
        var demand = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (resourceOfClass.Count == 0) return demand;
        foreach (var claim in (podSpec?["resourceClaims"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)claim["resourceClaimTemplateName"] is not { } name || store.Get(Kinds.ResourceClaimTemplate, ns, name) is not { } template) continue;
            foreach (var request in (template["spec"]?["spec"]?["devices"]?["requests"] as JsonArray ?? []).OfType<JsonObject>())
                if (request["exactly"] is JsonObject exactly && resourceOfClass.TryGetValue((string?)exactly["deviceClassName"] ?? "", out var resource))
                    demand[resource] = demand.GetValueOrDefault(resource) + (JsonNumber.Int(exactly["count"]) ?? 1);
        }
        return demand;
    }

    /// <summary>Kueue's Configuration where its manifests put it, with the DeviceClass mappings it was given.</summary>
    public static void Publish(IClusterStore store, IReadOnlyDictionary<string, string> resourceOfClass)
    {
        if (store.Get(Kinds.Namespace, null, ConfigNamespace) is null)
            store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ConfigNamespace } });
        if (store.Get(Kinds.ConfigMap, ConfigNamespace, ConfigMapName) is not null) return;
        var mappings = string.Concat(resourceOfClass.GroupBy(entry => entry.Value, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => $"\n  - name: {group.Key}\n    deviceClassNames:" + string.Concat(group.Select(entry => $"\n    - {entry.Key}").Order(StringComparer.Ordinal))));
        store.Create(Kinds.ConfigMap, new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = ConfigMapName, ["namespace"] = ConfigNamespace },
            ["data"] = new JsonObject
            {
                [ConfigKey] = "apiVersion: config.kueue.x-k8s.io/v1beta2\nkind: Configuration\nnamespace: kueue-system\n" +
                              "integrations:\n  frameworks:\n  - batch/job\n" +
                              (mappings.Length == 0 ? "" : $"resources:\n  deviceClassMappings:{mappings}\n"),
            },
        });
    }
}
