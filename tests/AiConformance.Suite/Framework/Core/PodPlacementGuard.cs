using System.Text.Json.Nodes;
using k8s;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Keeps the pods of an object (a Pod, a workload's pod template, a custom resource's pod specs) off some nodes: each
/// pod spec gets a required node affinity that excludes them by name, ANDed with the affinity it already has; each pod
/// and pod template is marked not to be evicted by a node autoscaler (cluster-autoscaler's safe-to-evict, Karpenter's
/// do-not-disrupt), so an autoscaler shrinking a pool removes the nodes kept free rather than moving these pods.
/// </summary>
public static class PodPlacementGuard
{
    private static readonly (string Key, string Value)[] NotEvictable =
    [
        ("cluster-autoscaler.kubernetes.io/safe-to-evict", "false"),
        ("karpenter.sh/do-not-disrupt", "true"),
    ];

    /// <summary><paramref name="item"/> with its pods kept off <paramref name="nodes"/>; itself when it has no pod spec or there are no nodes.</summary>
    public static T KeepOff<T>(T item, IReadOnlySet<string> nodes) where T : class
    {
        if (nodes.Count == 0) return item;
        var json = JsonNode.Parse(KubernetesJson.Serialize(item))!;
        return Guard(json, [.. nodes.Order(StringComparer.Ordinal)]) ? KubernetesJson.Deserialize<T>(json.ToJsonString()) : item;
    }

    /// <summary>Guards every pod spec under <paramref name="node"/> (an object with a <c>containers</c> list); whether there was one.</summary>
    private static bool Guard(JsonNode? node, IReadOnlyList<string> nodes)
    {
        var found = false;
        switch (node)
        {
            case JsonObject obj:
                if (obj["containers"] is JsonArray)
                {
                    Exclude(obj, nodes);
                    found = true;
                }
                if (obj["spec"] is JsonObject { } spec && spec["containers"] is JsonArray) MarkNotEvictable(obj);
                foreach (var (_, child) in obj.ToList()) found |= Guard(child, nodes);
                break;
            case JsonArray array:
                foreach (var child in array.ToList()) found |= Guard(child, nodes);
                break;
        }
        return found;
    }

    private static void Exclude(JsonObject podSpec, IReadOnlyList<string> nodes)
    {
        var required = Child(Child(Child(podSpec, "affinity"), "nodeAffinity"), "requiredDuringSchedulingIgnoredDuringExecution");
        if (required["nodeSelectorTerms"] is not JsonArray { Count: > 0 } terms)
        {
            terms = [new JsonObject()];
            required["nodeSelectorTerms"] = terms;
        }
        // Terms are ORed: each must exclude the nodes.
        foreach (var term in terms.OfType<JsonObject>())
        {
            if (term["matchFields"] is not JsonArray fields) term["matchFields"] = fields = [];
            fields.Add(new JsonObject
            {
                ["key"] = "metadata.name",
                ["operator"] = "NotIn",
                ["values"] = new JsonArray([.. nodes.Select(name => JsonValue.Create(name))]),
            });
        }
    }

    private static void MarkNotEvictable(JsonObject pod)
    {
        var annotations = Child(Child(pod, "metadata"), "annotations");
        foreach (var (key, value) in NotEvictable) annotations[key] ??= value;
    }

    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject child) return child;
        child = [];
        parent[name] = child;
        return child;
    }
}
