using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The APIService an extension metrics server registers for a group/version it serves (<c>{version}.{group}</c>,
/// backed by its Service), marked Available as kube-aggregator marks one whose Service answers.
/// </summary>
public static class MetricsApiService
{
    public static readonly ResourceKind Kind = new("apiregistration.k8s.io", "v1", "APIService", "apiservices", false);

    public static void Register(IClusterStore store, string group, string version, string serviceNamespace, string serviceName, string app)
    {
        var name = $"{version}.{group}";
        if (store.Get(Kind, null, name) is not null) return;
        var created = store.Create(Kind, new JsonObject
        {
            ["apiVersion"] = "apiregistration.k8s.io/v1",
            ["kind"] = "APIService",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = app } },
            ["spec"] = new JsonObject
            {
                ["group"] = group,
                ["version"] = version,
                ["service"] = new JsonObject { ["namespace"] = serviceNamespace, ["name"] = serviceName, ["port"] = 443 },
                ["groupPriorityMinimum"] = 100,
                ["versionPriority"] = 100,
                ["insecureSkipTLSVerify"] = true,
            },
        });
        store.Mutate(Kind, null, created.Name(), service =>
        {
            var status = service.Child("status");
            status["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Available", ["status"] = "True", ["reason"] = "Passed", ["message"] = "all checks passed",
                ["lastTransitionTime"] = Json.Now(),
            });
        }, statusOnly: true);
    }
}
