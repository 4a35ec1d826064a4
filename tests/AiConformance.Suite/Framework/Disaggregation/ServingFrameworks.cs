using k8s;

namespace AiConformance.Suite.Framework.Disaggregation;

/// <summary>
/// Disaggregated-serving frameworks installed in the cluster, found by their CRDs: reported in the evidence (the
/// fixture deploys its own prefill and decode instances, so its verdict does not depend on them).
/// </summary>
public static class ServingFrameworks
{
    private static readonly Dictionary<string, string> Crds = new(StringComparer.Ordinal)
    {
        ["leaderworkersets.leaderworkerset.x-k8s.io"] = "LeaderWorkerSet",
        ["dynamographdeployments.nvidia.com"] = "NVIDIA Dynamo",
        ["llminferenceservices.serving.kserve.io"] = "llm-d through KServe",
        ["modelservices.llm-d.ai"] = "llm-d model service",
        ["rolebasedgroups.workloads.x-k8s.io"] = "RoleBasedGroup (SGLang)",
        ["vllmruntimes.production-stack.vllm.ai"] = "vLLM production stack",
    };

    public static async Task<string> DescribeAsync(RunContext run)
    {
        var crds = await run.Kubernetes.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: run.Cancellation);
        var found = crds.Items.Select(crd => Crds.GetValueOrDefault(crd.Metadata.Name)).OfType<string>().Distinct().ToList();
        return $"{(found.Count == 0 ? "none" : string.Join(", ", found))} (looked for the CRDs {string.Join(", ", Crds.Keys)})";
    }
}
