using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The checks of KubeRay's RayCluster validator that the CRD schema cannot make (unique worker group names,
/// minReplicas not above maxReplicas), denying with the 422 Invalid status controller-runtime returns for them.
/// </summary>
public static class RayClusterValidation
{
    public static JsonObject? Deny(JsonObject cluster) =>
        Problems(cluster) is { Count: > 0 } problems ? StatusException.Invalid(KubeRayOperatorBehaviour.RayCluster, cluster.Name(), problems).ToStatus() : null;

    private static List<FieldError> Problems(JsonObject cluster)
    {
        var problems = new List<FieldError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var groups = (cluster["spec"]?["workerGroupSpecs"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var index = 0; index < groups.Count; index++)
        {
            var field = $"spec.workerGroupSpecs[{index}]";
            var name = groups[index].Str("groupName") ?? "";
            if (!seen.Add(name)) problems.Add(FieldError.InvalidValue(field, name, "worker group names must be unique"));
            var (min, max) = (groups[index]["minReplicas"].AsLong() ?? 0, groups[index]["maxReplicas"].AsLong() ?? int.MaxValue);
            if (min > max)
                problems.Add(FieldError.InvalidValue($"{field}.minReplicas", min.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"minReplicas ({min}) cannot be greater than maxReplicas ({max})"));
        }
        return problems;
    }
}
