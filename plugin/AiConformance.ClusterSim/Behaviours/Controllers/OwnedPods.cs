using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Controllers;

/// <summary>Creating and finding the pods a workload controller owns.</summary>
public static class OwnedPods
{
    public static List<JsonObject> Of(IReadOnlyList<JsonObject> pods, JsonObject owner) =>
        pods.Where(p => p.ControllerUid() == owner.Uid()).ToList();

    public static bool IsActive(JsonObject pod) => !pod.IsTerminal() && !pod.IsDeleting();

    /// <summary>A pod from <c>spec.template</c>, owned by <paramref name="owner"/>, with extra labels and annotations.</summary>
    public static JsonObject FromTemplate(JsonObject owner, string name, string generateName,
        IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? annotations = null) =>
        FromTemplate(owner, owner["spec"]?["template"] as JsonObject ?? [], name, generateName, labels, annotations);

    /// <summary>A pod from one of the owner's pod templates (a RayCluster has one per group).</summary>
    public static JsonObject FromTemplate(JsonObject owner, JsonObject template, string name, string generateName,
        IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        var podLabels = metadata.Child("labels");
        foreach (var (key, value) in labels) podLabels[key] = value;
        if (annotations is not null)
        {
            var podAnnotations = metadata.Child("annotations");
            foreach (var (key, value) in annotations) podAnnotations[key] = value;
        }
        metadata["name"] = name;
        metadata["generateName"] = generateName;
        metadata["namespace"] = owner.Namespace();
        metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(owner));
        metadata.Remove("creationTimestamp");
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    public static void TryDelete(IClusterStore store, JsonObject pod)
    {
        try { store.Delete(Kinds.Pod, pod.Namespace(), pod.Name()); }
        catch (StatusException e) when (e.Code == 404) { }
    }

    /// <summary>Writes the status only when it changed, so that a pass over an unchanged cluster writes nothing.</summary>
    public static void WriteStatus(IClusterStore store, ResourceKind kind, JsonObject obj, Action<JsonObject> describe)
    {
        var desired = (obj["status"] as JsonObject)?.DeepClone().AsObject() ?? [];
        describe(desired);
        if (JsonNode.DeepEquals(desired, obj["status"])) return;
        store.Mutate(kind, obj.Namespace(), obj.Name(), o =>
        {
            if (o.Uid() == obj.Uid()) describe(o.Child("status"));
        }, statusOnly: true);
    }
}
