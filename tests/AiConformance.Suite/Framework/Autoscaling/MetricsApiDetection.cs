using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>An APIService of the custom or external metrics API, and the Service (provider) behind it.</summary>
public sealed record MetricsApi(string Group, string Version, string Provider, bool Available)
{
    public bool IsExternal => Group == MetricsApiDetection.ExternalGroup;

    public string Describe() => $"{Version}.{Group} served by {Provider} ({(Available ? "Available" : "not Available")})";
}

/// <summary>
/// Finds the metrics APIs an HPA can use beyond CPU and memory: the <c>custom.metrics.k8s.io</c> and
/// <c>external.metrics.k8s.io</c> APIServices (prometheus-adapter, KEDA, a cloud adapter), and whether they are
/// Available; says what it looked for when it finds none.
/// </summary>
public static class MetricsApiDetection
{
    public const string CustomGroup = "custom.metrics.k8s.io";
    public const string ExternalGroup = "external.metrics.k8s.io";

    public sealed record Result(IReadOnlyList<MetricsApi> Apis, string WhatWasLookedFor)
    {
        public MetricsApi? Custom => Newest(CustomGroup);

        public MetricsApi? External => Newest(ExternalGroup);

        /// <summary>What an HPA on a per-pod AI metric reads through: the custom metrics API where served, else the external one.</summary>
        public MetricsApi? ForHpa => Custom ?? External;

        private MetricsApi? Newest(string group) => Apis.Where(api => api.Group == group && api.Available)
            .OrderByDescending(api => api.Version, StringComparer.Ordinal).FirstOrDefault();
    }

    public static async Task<Result> DetectAsync(RunContext run)
    {
        var services = await new ClusterObjects<V1APIService>(run.Kubernetes, null).ListAsync(null, null, run.Cancellation);
        var found = services.Items.Where(service => service.Spec?.Group is CustomGroup or ExternalGroup)
            .Select(service => new MetricsApi(service.Spec.Group, service.Spec.Version,
                service.Spec.Service is { } backend ? $"Service {backend.NamespaceProperty}/{backend.Name}" : "the API server itself",
                service.Status?.Conditions?.Any(c => c.Type == "Available" && c.Status == "True") == true))
            .ToList();
        return new Result(found, $"APIServices (apiregistration.k8s.io/v1) of {CustomGroup} or {ExternalGroup}, with condition Available=True");
    }
}
