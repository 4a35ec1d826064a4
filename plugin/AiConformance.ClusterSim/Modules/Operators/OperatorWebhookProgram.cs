using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The webhook server of an operator's pod (controller-runtime's, on port 9443): answers the API server's
/// AdmissionReviews on <paramref name="path"/>, denying a created or updated object with the Status that
/// <paramref name="deny"/> returns for it (null: allowed).
/// </summary>
public sealed class OperatorWebhookProgram(string path, Func<JsonObject, JsonObject?> deny) : IContainerProgram
{
    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        context.Write($"{DateTime.UtcNow:O}\tINFO\tcontroller-runtime.webhook\tStarting webhook server\t{{\"port\": {OperatorInstallation.WebhookPort}}}\n");
        await BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, OperatorInstallation.WebhookPort, Answer, cancellationToken);
        return 0;
    }

    private BareHttp.Response Answer(BareHttp.Request request) => AdmissionReviewServer.Answer(request, path, (admission, response) =>
    {
        if (admission.Str("operation") is "CREATE" or "UPDATE" && admission["object"] is JsonObject resource && deny(resource) is { } status)
        {
            response["allowed"] = false;
            response["status"] = status;
        }
    });
}
