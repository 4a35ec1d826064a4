using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>An AI operator found in the cluster: its profile, the CRDs it serves, its controller's pods and its validating webhooks.</summary>
public sealed record AiOperator(
    OperatorProfile Profile,
    IReadOnlyList<V1CustomResourceDefinition> Crds,
    IReadOnlyList<V1Pod> ControllerPods,
    IReadOnlyList<V1ValidatingWebhookConfiguration> WebhookConfigurations) : IDetected
{
    public string Name => Profile.Name;

    public string Summary =>
        $"{Profile.Name} ({Profile.What}): CRDs {string.Join(", ", Crds.Select(crd => crd.Metadata.Name))}; controller pods " +
        $"{string.Join(", ", ControllerPods.Select(pod => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}"))}; validating webhooks " +
        (Webhooks.Count == 0 ? "none" : string.Join(", ", Webhooks.Select(webhook => webhook.Name)));

    /// <summary>The validating webhooks whose rules name the operator's API group.</summary>
    public IReadOnlyList<V1ValidatingWebhook> Webhooks =>
        [.. WebhookConfigurations.SelectMany(configuration => configuration.Webhooks ?? []).Where(Profile.IsValidatedBy)];
}

/// <summary>
/// Finds the AI operators of <see cref="OperatorProfile.Known"/> that are installed: their first CRD is served and
/// a pod of their controller exists (running or starting). <c>operators</c> (comma-separated names) restricts the
/// search to the named ones.
/// </summary>
public static class OperatorDetection
{
    public const string OperatorsKey = "operators";

    public static readonly DetectedCases<AiOperator> Cases = new(DetectAsync);

    public static async Task<Detection<AiOperator>> DetectAsync(RunContext run)
    {
        var wanted = run.Configuration.GetList(OperatorsKey);
        var unknown = wanted.Where(name => OperatorProfile.Known.All(known => !known.Name.Equals(name, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
            throw new ConfigurationException($"configuration key '{OperatorsKey}' names {string.Join(", ", unknown)}; known: {string.Join(", ", OperatorProfile.Known.Select(known => known.Name))}");
        var kubernetes = run.Kubernetes;
        var crds = (await kubernetes.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: run.Cancellation)).Items
            .ToDictionary(crd => crd.Metadata.Name, StringComparer.Ordinal);
        var webhooks = (await kubernetes.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync(cancellationToken: run.Cancellation)).Items;
        var found = new List<AiOperator>();
        var lookedFor = new List<string>();
        foreach (var profile in OperatorProfile.Known.Where(known => wanted.Count == 0 || wanted.Contains(known.Name, StringComparer.OrdinalIgnoreCase)))
        {
            lookedFor.Add($"{profile.Name}: CRD {profile.Crds[0]} and controller pods labelled {string.Join(" or ", profile.PodSelectors.Select(s => $"`{s}`"))}");
            if (!crds.ContainsKey(profile.Crds[0])) continue;
            var pods = new List<V1Pod>();
            foreach (var selector in profile.PodSelectors)
                pods.AddRange((await kubernetes.CoreV1.ListPodForAllNamespacesAsync(labelSelector: selector, cancellationToken: run.Cancellation)).Items
                    .Where(pod => !PodWaits.HasEnded(pod) && pod.Metadata.DeletionTimestamp is null && pods.All(known => known.Metadata.Uid != pod.Metadata.Uid)));
            if (pods.Count == 0) continue;
            found.Add(new AiOperator(profile, [.. profile.Crds.Where(crds.ContainsKey).Select(name => crds[name])], pods,
                [.. webhooks.Where(configuration => (configuration.Webhooks ?? []).Any(profile.IsValidatedBy))]));
        }
        if (wanted.Count > 0) lookedFor.Add($"only {string.Join(", ", wanted)} ({OperatorsKey})");
        return new Detection<AiOperator>(found, lookedFor);
    }
}
