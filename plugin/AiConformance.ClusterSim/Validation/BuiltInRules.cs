using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Validation;

/// <summary>The few built-in validation rules clients run into: required container fields and immutable specs.</summary>
public static class BuiltInRules
{
    public static void Check(ResourceKind kind, JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        switch (kind.Group, kind.Plural)
        {
            case ("", "pods"):
                Containers(obj["spec"] as JsonObject, "spec", errors);
                if (old is not null) PodSpecUpdate(old, obj, errors);
                break;
            case ("resource.k8s.io", "resourceclaims" or "resourceclaimtemplates"):
                Immutable(old, obj, "spec", errors);
                break;
            case ("batch", "jobs"):
                Containers(obj["spec"]?["template"]?["spec"] as JsonObject, "spec.template.spec", errors);
                Immutable(old, obj, "spec.selector", errors);
                if (old?["spec"]?["suspend"]?.GetValueKind() != System.Text.Json.JsonValueKind.True) Immutable(old, obj, "spec.template", errors);
                break;
            case ("apps", "deployments" or "replicasets" or "statefulsets" or "daemonsets"):
                Containers(obj["spec"]?["template"]?["spec"] as JsonObject, "spec.template.spec", errors);
                Immutable(old, obj, "spec.selector", errors);
                break;
            case ("", "services"):
                if (old?["spec"]?["clusterIP"] is { } ip && obj["spec"]?["clusterIP"] is { } next && !JsonNode.DeepEquals(ip, next))
                    Immutable(old, obj, "spec.clusterIP", errors);
                break;
        }
    }

    /// <summary>A field that may not change once set: <c>field is immutable</c>, as the registries answer.</summary>
    private static void Immutable(JsonObject? old, JsonObject next, string dottedPath, List<FieldError> errors)
    {
        if (old is null) return;
        JsonNode? Walk(JsonNode? node) => dottedPath.Split('.').Aggregate(node, (current, part) => current?[part]);
        var before = Walk(old);
        var after = Walk(next);
        if (!JsonNode.DeepEquals(before, after))
            errors.Add(new FieldError("FieldValueInvalid", dottedPath, $"Invalid value: {after?.ToJsonString() ?? "null"}: field is immutable"));
    }

    private static void Containers(JsonObject? spec, string path, List<FieldError> errors)
    {
        if (spec is null) return;
        if (spec["containers"] is not JsonArray containers || containers.Count == 0)
        {
            errors.Add(FieldError.Required($"{path}.containers"));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            if (containers[i] is not JsonObject container) continue;
            if (string.IsNullOrEmpty(container.Str("name"))) errors.Add(FieldError.Required($"{path}.containers[{i}].name"));
            if (string.IsNullOrEmpty(container.Str("image"))) errors.Add(FieldError.Required($"{path}.containers[{i}].image"));
        }
    }

    /// <summary>A pod's spec is immutable except images, activeDeadlineSeconds, tolerations additions and scheduling gates.</summary>
    private static void PodSpecUpdate(JsonObject old, JsonObject next, List<FieldError> errors)
    {
        if (old["spec"]?.DeepClone() is not JsonObject before || next["spec"]?.DeepClone() is not JsonObject after) return;
        foreach (var mutable in new[] { "activeDeadlineSeconds", "tolerations", "schedulingGates" })
        {
            before.Remove(mutable);
            after.Remove(mutable);
        }
        if (before.Str("nodeName") is null) after.Remove("nodeName");
        StripImages(before);
        StripImages(after);
        if (!JsonNode.DeepEquals(before, after))
            errors.Add(new FieldError("FieldValueForbidden", "spec",
                "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
    }

    private static void StripImages(JsonObject spec)
    {
        foreach (var list in new[] { "containers", "initContainers" })
        foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            container.Remove("image");
    }
}
