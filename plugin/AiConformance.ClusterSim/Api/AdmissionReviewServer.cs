using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Server;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// What an admission webhook server in a pod shares with every other: its AdmissionReview exchange on one path (as
/// controller-runtime's webhook server answers it) and the clientConfig its chart registers, naming its Service with
/// the CA bundle of its serving certificate.
/// </summary>
public static class AdmissionReviewServer
{
    /// <summary>
    /// Answers a POST of an AdmissionReview to <paramref name="path"/>: <paramref name="decide"/> gets the review's
    /// request and fills the response (allowed, status, patch), which already carries the request's uid and allows it.
    /// </summary>
    public static BareHttp.Response Answer(BareHttp.Request request, string path, Action<JsonObject, JsonObject> decide)
    {
        if (request.Method != "POST" || request.Path != path) return BareHttp.Response.NotFound;
        if (ApiHandler.ParseJson(request.Body) is not JsonObject { } review || review["request"] is not JsonObject admission)
            return new BareHttp.Response(400, "text/plain; charset=utf-8", "contentType=application/json, expected application/json\n");
        var response = new JsonObject { ["uid"] = admission.Str("uid"), ["allowed"] = true };
        decide(admission, response);
        var answer = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
        return new BareHttp.Response(200, "application/json", answer.ToJsonString());
    }

    /// <summary>Sets a mutating webhook's response to apply the RFC 6902 <paramref name="operations"/>.</summary>
    public static void Patch(JsonObject response, JsonArray operations)
    {
        response["patchType"] = "JSONPatch";
        response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(operations.ToJsonString()));
    }

    /// <summary>The Service a chart puts in front of its webhook server: port 443 to the pods' <paramref name="targetPort"/>.</summary>
    public static JsonObject Service(string name, string ns, JsonObject labels, JsonObject selector, int targetPort) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels },
        ["spec"] = new JsonObject
        {
            ["selector"] = selector,
            ["ports"] = new JsonArray(new JsonObject { ["port"] = 443, ["targetPort"] = targetPort, ["protocol"] = "TCP" }),
        },
    };

    /// <summary>A webhook's clientConfig: port 443 of the Service, and the CA bundle that signed the Service's serving certificate.</summary>
    public static JsonObject ClientConfig(string service, string ns, string path) => new()
    {
        ["service"] = new JsonObject { ["name"] = service, ["namespace"] = ns, ["path"] = path, ["port"] = 443 },
        ["caBundle"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(ServingCertificate.AuthorityPem(service, ns))),
    };
}
