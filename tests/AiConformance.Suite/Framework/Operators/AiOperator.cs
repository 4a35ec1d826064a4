using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>
/// An AI operator found in the cluster: its profile, the CRDs it serves, where its controller runs (the pods and
/// Deployments its labels select) and its validating webhooks.
/// </summary>
public sealed record AiOperator(
    OperatorProfile Profile,
    IReadOnlyList<V1CustomResourceDefinition> Crds,
    IReadOnlyList<OperatorController> Controllers,
    IReadOnlyList<V1ValidatingWebhookConfiguration> WebhookConfigurations) : IDetected
{
    public string Name => Profile.Name;

    public string Summary =>
        $"{Profile.Name} ({Profile.What}): CRDs {string.Join(", ", Crds.Select(crd => crd.Metadata.Name))}; controller " +
        $"{string.Join(", ", Controllers.Select(controller => controller.Describe()))}; validating webhooks " +
        (Webhooks.Count == 0 ? "none" : string.Join(", ", Webhooks.Select(webhook => webhook.Name)));

    /// <summary>The validating webhooks whose rules name the operator's API group.</summary>
    public IReadOnlyList<V1ValidatingWebhook> Webhooks =>
        [.. WebhookConfigurations.SelectMany(configuration => configuration.Webhooks ?? []).Where(Profile.IsValidatedBy)];
}

/// <summary>
/// Where an operator's controller runs: a namespace and the label selector of its pods, with the pods and Deployments
/// seen there when it was found. A controller restarting or rolling out has a Deployment and, for a moment, no pod.
/// </summary>
public sealed record OperatorController(string Namespace, string Selector, IReadOnlyList<string> Pods, IReadOnlyList<string> Deployments)
{
    public string Describe() =>
        $"`{Selector}` in {Namespace} (" + string.Join("; ", new[]
        {
            Deployments.Count == 0 ? null : $"Deployment {string.Join(", ", Deployments)}",
            Pods.Count == 0 ? "no pod yet" : $"pods {string.Join(", ", Pods)}",
        }.OfType<string>()) + ")";
}

/// <summary>
/// Finds the AI operators of <see cref="OperatorProfile.Known"/> that are installed: their first CRD is served and
/// their controller exists, as a pod (running or starting) or a Deployment (its pod may be restarting). <c>operators</c>
/// (comma-separated names) restricts the search to the named ones.
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
            lookedFor.Add($"{profile.Name}: CRD {profile.Crds[0]} and controller pods or Deployments labelled {string.Join(" or ", profile.PodSelectors.Select(s => $"`{s}`"))}");
            if (!crds.ContainsKey(profile.Crds[0])) continue;
            var controllers = await ControllersAsync(kubernetes, profile, run.Cancellation);
            if (controllers.Count == 0) continue;
            found.Add(new AiOperator(profile, [.. profile.Crds.Where(crds.ContainsKey).Select(name => crds[name])], controllers,
                [.. webhooks.Where(configuration => (configuration.Webhooks ?? []).Any(profile.IsValidatedBy))]));
        }
        if (wanted.Count > 0) lookedFor.Add($"only {string.Join(", ", wanted)} ({OperatorsKey})");
        return new Detection<AiOperator>(found, lookedFor);
    }

    private static async Task<List<OperatorController>> ControllersAsync(IKubernetes kubernetes, OperatorProfile profile, CancellationToken cancellation)
    {
        var controllers = new List<OperatorController>();
        foreach (var selector in profile.PodSelectors)
        {
            var pods = (await kubernetes.CoreV1.ListPodForAllNamespacesAsync(labelSelector: selector, cancellationToken: cancellation)).Items
                .Where(pod => !PodWaits.HasEnded(pod) && pod.Metadata.DeletionTimestamp is null).ToList();
            var deployments = (await kubernetes.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: selector, cancellationToken: cancellation)).Items
                .Where(deployment => deployment.Metadata.DeletionTimestamp is null && deployment.Spec?.Replicas != 0).ToList();
            var namespaces = pods.Select(pod => pod.Metadata.NamespaceProperty).Concat(deployments.Select(deployment => deployment.Metadata.NamespaceProperty));
            foreach (var ns in namespaces.Distinct(StringComparer.Ordinal).Where(ns => controllers.All(known => known.Namespace != ns)))
                controllers.Add(new OperatorController(ns, selector,
                    [.. pods.Where(pod => pod.Metadata.NamespaceProperty == ns).Select(pod => pod.Metadata.Name)],
                    [.. deployments.Where(deployment => deployment.Metadata.NamespaceProperty == ns).Select(deployment => deployment.Metadata.Name)]));
        }
        return controllers;
    }
}
