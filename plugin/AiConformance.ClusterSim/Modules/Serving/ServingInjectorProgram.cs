using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Network;
using AiConformance.ClusterSim.Store;
using AiConformance.Workloads;

namespace AiConformance.ClusterSim.Modules.Serving;

/// <summary>
/// The mutating webhook server of the serving platform's injector pod: answers the API server's AdmissionReviews for
/// pods on port 9443 (<c>/mutate-v1-pod</c>). A working injector admits every pod unchanged; one that
/// <see cref="IServingInjectorFault.MergesPhases"/> patches each <c>serve-model</c> container that runs one phase
/// (<c>--phase prefill</c> or <c>--phase decode</c>) to run both, without a <c>--prefill-url</c>.
/// </summary>
public sealed class ServingInjectorProgram(IServingInjectorFault fault) : IContainerProgram
{
    public const int WebhookPort = 9443;
    public const string MutatePath = "/mutate-v1-pod";

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        context.Write($"{DateTime.UtcNow:O}\tINFO\tcontroller-runtime.webhook\tStarting webhook server\t{{\"port\": {WebhookPort}}}\n");
        await BareHttp.ServeAsync(context.Cluster.Network, context.Sandbox, WebhookPort, request => AdmissionReviewServer.Answer(request, MutatePath, (admission, response) =>
        {
            if (!fault.MergesPhases || admission.Str("operation") != "CREATE" || admission["object"] is not JsonObject pod) return;
            var operations = BothPhases(pod);
            if (operations.Count == 0) return;
            context.Cluster.Log.Info(ServingInjectorBehaviour.ComponentName, $"pod {admission.Str("namespace")}/{pod.Name()}: serve-model made to run both phases");
            AdmissionReviewServer.Patch(response, operations);
        }), cancellationToken);
        return 0;
    }

    /// <summary>JSON patch operations replacing the command and args of each one-phase serve-model container.</summary>
    private static JsonArray BothPhases(JsonObject pod)
    {
        var operations = new JsonArray();
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var index = 0; index < containers.Count; index++)
        {
            var lists = new[] { "command", "args" }.Select(field => (Field: field, Words: Words(containers[index][field]))).ToList();
            if (!lists.Any(list => list.Words.Contains(WorkloadRoles.ServeModel))) continue;
            foreach (var (field, words) in lists)
                if (WithBothPhases(words) is { } rewritten)
                    operations.Add(new JsonObject
                    {
                        ["op"] = "replace", ["path"] = $"/spec/containers/{index}/{field}",
                        ["value"] = new JsonArray([.. rewritten.Select(word => (JsonNode?)word)]),
                    });
        }
        return operations;
    }

    private static List<string> Words(JsonNode? list) => [.. (list as JsonArray ?? []).Select(word => (string?)word ?? "")];

    /// <summary>The words with <c>--phase both</c> and no <c>--prefill-url</c>; null when they choose no single phase.</summary>
    private static List<string>? WithBothPhases(List<string> words)
    {
        var result = new List<string>();
        var changed = false;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            var (flag, value, next) = word.Split('=', 2) is [var name, var inline] ? (name, inline, i) : (word, i + 1 < words.Count ? words[i + 1] : "", i + 1);
            switch (flag)
            {
                case "--phase":
                    result.AddRange(["--phase", "both"]);
                    changed |= !value.Equals("both", StringComparison.OrdinalIgnoreCase);
                    i = next;
                    break;
                case "--prefill-url":
                    changed = true;
                    i = next;
                    break;
                default:
                    result.Add(word);
                    break;
            }
        }
        return changed ? result : null;
    }
}
