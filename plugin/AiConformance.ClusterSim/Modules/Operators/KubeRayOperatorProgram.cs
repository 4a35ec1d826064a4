using System.Net;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Store;
using AiConformance.Workloads.Serving;

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
        context.Write($"{DateTime.UtcNow:O}\tINFO\tcontroller-runtime.webhook\tStarting webhook server\n");
        await using var server = context.Cluster.Network.Serve(context.Sandbox, WebhookPort, AnswerAsync);
        context.Write($"{DateTime.UtcNow:O}\tINFO\tcontroller-runtime.webhook\tServing webhook server\t{{\"host\": \"\", \"port\": {WebhookPort}}}\n");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static async Task<RoleResponse> AnswerAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        if (request.HttpMethod != "POST" || request.Url?.AbsolutePath != ValidatePath)
            return new RoleResponse(404, "text/plain; charset=utf-8", "404 page not found\n");
        using var reader = new StreamReader(request.InputStream, request.ContentEncoding);
        var review = ApiHandler.ParseJson(await reader.ReadToEndAsync(cancellationToken)) as JsonObject;
        var admission = review?["request"] as JsonObject;
        if (admission is null)
            return new RoleResponse(400, "text/plain; charset=utf-8", "contentType=application/json, expected application/json\n");
        var response = new JsonObject { ["uid"] = admission.Str("uid"), ["allowed"] = true };
        if (admission.Str("operation") is "CREATE" or "UPDATE" && admission["object"] is JsonObject cluster && Problems(cluster) is { Count: > 0 } problems)
        {
            response["allowed"] = false;
            response["status"] = StatusException.Invalid(RayCluster, cluster.Name(), problems).ToStatus();
        }
        var answer = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
        return RoleResponse.Json(200, answer.ToJsonString());
    }

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
