namespace AiConformance.Suite;

/// <summary>
/// The one list of requirements that the Suite has no fixture for, each with why and what a person attests instead.
/// A self-test fails when a requirement of an embedded checklist has neither a fixture nor an entry here, and when an
/// entry here has a fixture too, so the list shrinks as fixtures land. The runner writes the reason as the note of
/// such a requirement, whose status it leaves empty for that person.
/// </summary>
public static class AttestationOnly
{
    public static IReadOnlyDictionary<string, string> Requirements { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["advanced_inference_ingress"] =
            "no automated test yet; attest with the Gateway API Inference Extension implementation's documentation and a request routed through an InferencePool to a model server",
        ["cluster_autoscaling"] =
            "no automated test yet; attest with a node group of the accelerator type scaling up for a pending pod that requests it and down after, or say why no autoscaler applies",
        ["ai_service_metrics"] =
            "no automated test yet; attest with the monitoring system discovering a workload and collecting its Prometheus-format metrics",
        ["robust_controller"] =
            "no automated test yet; attest with an AI operator (e.g. Ray, Kubeflow) installed, its webhooks answering and a custom resource reconciled",
    };

    /// <summary>Why the requirement has no automated test and what a person attests; null when it has fixtures.</summary>
    public static string? ReasonFor(string requirementId) => Requirements.GetValueOrDefault(requirementId);
}
