using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The RuntimeClass admission plugin: a new pod naming a RuntimeClass that does not exist is refused with 403; an
/// existing one adds its pod overhead, node selector and tolerations to the pod.
/// </summary>
public static class RuntimeClassAdmission
{
    public static readonly ResourceKind RuntimeClasses = new("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false);

    public static void Admit(IClusterStore store, JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec || spec.Str("runtimeClassName") is not { Length: > 0 } name) return;
        var runtimeClass = store.Get(RuntimeClasses, null, name)
            ?? throw StatusException.Forbidden(new ResourceKind("", "v1", "Pod", "pods", true), pod.Name(),
                $"pod rejected: RuntimeClass \"{name}\" not found");
        if (runtimeClass["overhead"]?["podFixed"] is JsonObject overhead && spec["overhead"] is null)
            spec["overhead"] = overhead.DeepClone();
        if (runtimeClass["scheduling"] is not JsonObject scheduling) return;
        if (scheduling["nodeSelector"] is JsonObject required)
        {
            var selector = spec["nodeSelector"] as JsonObject ?? [];
            foreach (var (key, value) in required)
            {
                if (selector[key] is { } existing && existing.ToString() != value?.ToString())
                    throw StatusException.Forbidden(new ResourceKind("", "v1", "Pod", "pods", true), pod.Name(),
                        $"pod rejected: conflict in RuntimeClass scheduling.nodeSelector for key \"{key}\"");
                selector[key] = value?.DeepClone();
            }
            spec["nodeSelector"] = selector;
        }
        if (scheduling["tolerations"] is JsonArray tolerations)
        {
            var merged = spec["tolerations"] as JsonArray ?? [];
            foreach (var toleration in tolerations)
                if (!merged.Any(t => JsonNode.DeepEquals(t, toleration))) merged.Add(toleration?.DeepClone());
            spec["tolerations"] = merged;
        }
    }
}
