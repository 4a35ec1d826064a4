using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Store;
using AiConformance.ClusterSim.Network;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The webhook server of the KubeRay operator's pod: answers the API server's AdmissionReviews for RayClusters on
/// port 9443 (<c>/validate-ray-io-v1-raycluster</c>) with the checks of KubeRay's RayCluster validator that the CRD
/// schema cannot make (unique worker group names, minReplicas not above maxReplicas), denying with the 422 Invalid
/// status controller-runtime returns for them.
/// </summary>
public sealed class KubeRayOperatorProgram : IContainerProgram
{
    public const int WebhookPort = 9443;
    public const string ValidatePath = "/validate-ray-io-v1-raycluster";

    private static readonly ResourceKind RayCluster = KubeRayOperatorBehaviour.RayCluster;

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        context.Write($"{DateTime.UtcNow:O}\tINFO\tcontroller-runtime.webhook\tStarting webhook server\t{{\"port\": {WebhookPort}}}\n");
        await BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, WebhookPort, Answer, cancellationToken);
        return 0;
    }

    private static BareHttp.Response Answer(BareHttp.Request request) => AdmissionReviewServer.Answer(request, ValidatePath, (admission, response) =>
    {
        if (admission.Str("operation") is "CREATE" or "UPDATE" && admission["object"] is JsonObject cluster && Problems(cluster) is { Count: > 0 } problems)
        {
            response["allowed"] = false;
            response["status"] = StatusException.Invalid(RayCluster, cluster.Name(), problems).ToStatus();
        }
    });

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
