using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.Workloads;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>The pods the drivers ask an operator to run: the plugin image's echo server, small enough to fit any cluster.</summary>
public static class OperatorPods
{
    public const int Port = 8080;

    /// <summary>A pod spec, as JSON for a custom resource's template, whose one container (<paramref name="container"/>, else the role's name) serves echo on <see cref="Port"/>.</summary>
    public static JsonObject EchoServer(TestNamespace ns, string? container = null, string restartPolicy = "Always")
    {
        var podSpec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeEcho, ["--port", Port.ToString(CultureInfo.InvariantCulture)],
            restartPolicy: restartPolicy, port: Port);
        podSpec.Containers[0].Name = container ?? podSpec.Containers[0].Name;
        podSpec.Containers[0].Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("32Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") },
        };
        return JsonNode.Parse(KubernetesJson.Serialize(podSpec))!.AsObject();
    }
}
