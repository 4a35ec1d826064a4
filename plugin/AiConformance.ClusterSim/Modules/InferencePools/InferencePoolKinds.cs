using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>The inference extension's InferencePool kind, the CRD folder that serves it, and reading a pool's spec.</summary>
public static class InferencePoolKinds
{
    public const string Group = "inference.networking.k8s.io";

    /// <summary>The embedded CRDs (Data/crds) a scenario installs for this module.</summary>
    public const string CrdFolder = "gateway-api-inference-extension-v1.6.0";

    public static readonly ResourceKind InferencePool = new(Group, "v1", "InferencePool", "inferencepools", true);

    /// <summary>The pool's Ready member pods (selected by its label selector in its namespace) that have an address.</summary>
    public static IReadOnlyList<JsonObject> ReadyMembers(JsonObject pool, IClusterStore store)
    {
        var selector = LabelSelector.FromMap(pool["spec"]?["selector"]?["matchLabels"]);
        return [.. store.List(Kinds.Pod, pool.Namespace()).Where(pod => !pod.IsDeleting() && pod.IsReady() && pod.PodIp() is not null && selector.Matches(pod))];
    }

    /// <summary>The first target port: where the pool's model servers answer (and serve /metrics).</summary>
    public static int TargetPort(JsonObject pool) =>
        JsonNumber.Int((pool["spec"]?["targetPorts"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()?["number"]) ?? 0;

    public static JsonObject? PickerRef(JsonObject pool) => pool["spec"]?["endpointPickerRef"] as JsonObject;

    /// <summary>FailOpen or FailClose (the API's default).</summary>
    public static bool FailsOpen(JsonObject pool) => (string?)PickerRef(pool)?["failureMode"] == "FailOpen";
}
