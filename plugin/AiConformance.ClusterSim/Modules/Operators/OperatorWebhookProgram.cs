using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The webhook server of an operator's pod (controller-runtime's, on port 9443): answers the API server's
/// AdmissionReviews on each validator's path, denying a created or updated object with the Status that the
/// validator's <c>Deny</c> returns for it (null: allowed); the review's request is given too, for its namespace.
/// </summary>
public sealed class OperatorWebhookProgram(params (string Path, Func<JsonObject, JsonObject, JsonObject?> Deny)[] validators) : IContainerProgram
{
    /// <summary>A server of one validator that judges the object alone.</summary>
    public OperatorWebhookProgram(string path, Func<JsonObject, JsonObject?> deny) : this((path, (resource, _) => deny(resource)))
    {
    }

    /// <summary>
    /// How controller-runtime denies a validator's plain error (a Go <c>field.ErrorList</c> aggregated): 403 Forbidden
    /// with the error's text, one field error as it is, several as <c>[a, b]</c>.
    /// </summary>
    public static JsonObject Denial(IReadOnlyList<string> problems) =>
        new StatusException(403, "Forbidden", problems.Count == 1 ? problems[0] : $"[{string.Join(", ", problems)}]").ToStatus();

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        context.Write($"{DateTime.UtcNow:O}\tINFO\tcontroller-runtime.webhook\tStarting webhook server\t{{\"port\": {OperatorInstallation.WebhookPort}}}\n");
        await BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, OperatorInstallation.WebhookPort, Answer, cancellationToken);
        return 0;
    }

    private BareHttp.Response Answer(BareHttp.Request request)
    {
        var (path, deny) = validators.FirstOrDefault(validator => validator.Path == request.Path);
        if (path is null) return BareHttp.Response.NotFound;
        return AdmissionReviewServer.Answer(request, path, (admission, response) =>
        {
            if (admission.Str("operation") is "CREATE" or "UPDATE" && admission["object"] is JsonObject resource && deny(resource, admission) is { } status)
            {
                response["allowed"] = false;
                response["status"] = status;
            }
        });
    }
}
