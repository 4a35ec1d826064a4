using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>A GatewayClass of the cluster (and, when configured, the existing Gateway of that class to attach to).</summary>
public sealed record DetectedGateway(string ClassName, string? Controller, IReadOnlyList<V1Condition> Conditions, long Generation,
    string? ExistingNamespace, string? ExistingName, IReadOnlyList<string> Meshes) : IDetected
{
    public string Name => string.Concat(ClassName.Split('-', '.', '_').Where(part => part.Length > 0)
        .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    public bool Accepted => GatewayApi.Holds(Conditions, "Accepted", Generation);

    public string Summary =>
        $"GatewayClass {ClassName} (controller {Controller ?? "unset"}; {GatewayApi.Describe(Conditions)})" +
        (ExistingName is null ? "" : $", attaching to the existing Gateway {ExistingNamespace}/{ExistingName}") +
        $"; service mesh: {(Meshes.Count == 0 ? "none found" : string.Join(", ", Meshes))}";
}

/// <summary>
/// Finds what serves Gateway API traffic: <c>gateway.networking.k8s.io/v1</c> served, its GatewayClasses (one test case
/// each, accepted or not, so that a class its controller never accepted fails on that), and a service mesh if one is
/// installed (reported only: the requirement makes it optional). Configuration takes precedence:
/// <c>gateway.className</c> tests only that class; <c>gateway.existing</c> (<c>namespace/name</c>) attaches the test
/// routes to that existing Gateway (shared gateways of managed platforms) instead of creating one.
/// </summary>
public static class GatewayDetection
{
    public const string ClassKey = "gateway.className";
    public const string ExistingKey = "gateway.existing";

    /// <summary>CRDs whose presence shows a service mesh, by mesh.</summary>
    private static readonly Dictionary<string, string> MeshCrds = new(StringComparer.Ordinal)
    {
        ["virtualservices.networking.istio.io"] = "Istio",
        ["servers.policy.linkerd.io"] = "Linkerd",
        ["meshes.kuma.io"] = "Kuma",
        ["ciliumenvoyconfigs.cilium.io"] = "Cilium service mesh",
        ["meshes.consul.hashicorp.com"] = "Consul",
    };

    public static readonly DetectedCases<DetectedGateway> Cases = new(DetectAsync);

    private static async Task<Detection<DetectedGateway>> DetectAsync(RunContext run)
    {
        var configuredClass = run.Configuration.Get(ClassKey);
        var (existingNs, existingName) = ParseExisting(run.Configuration.Get(ExistingKey));
        var lookedFor = new List<string>();
        var meshes = await MeshesAsync(run);
        Gateway? existing = null;
        if (existingName is not null)
        {
            existing = await new ClusterObjects<Gateway>(run.Kubernetes, existingNs).GetAsync(existingName, run.Cancellation);
            lookedFor.Add($"the configured Gateway {existingNs}/{existingName} ({(existing is null ? "not found" : "found")})");
            if (existing is null) return new Detection<DetectedGateway>([], lookedFor);
            configuredClass = (string?)existing.Spec?["gatewayClassName"];
        }
        IList<GatewayClass> classes;
        try
        {
            (classes, _) = await new ClusterObjects<GatewayClass>(run.Kubernetes, null).ListAsync(null, null, run.Cancellation);
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == HttpStatusCode.NotFound)
        {
            lookedFor.Add($"{GatewayApi.Group}/v1 GatewayClasses (the API is not served)");
            return new Detection<DetectedGateway>([], lookedFor);
        }
        lookedFor.Add(configuredClass is null
            ? $"{GatewayApi.Group}/v1 GatewayClasses ({classes.Count} found)"
            : $"the GatewayClass {configuredClass} ({(configuredClass is not null && classes.Any(c => c.Metadata.Name == configuredClass) ? "found" : "not found")})");
        lookedFor.Add($"service-mesh CRDs ({string.Join(", ", MeshCrds.Keys)})");
        var found = classes.Where(c => configuredClass is null || c.Metadata.Name == configuredClass)
            .OrderBy(c => c.Metadata.Name, StringComparer.Ordinal)
            .Select(c => new DetectedGateway(c.Metadata.Name, c.ControllerName, [.. c.Status?.Conditions ?? []], c.Metadata.Generation ?? 1,
                existing?.Metadata.NamespaceProperty, existing?.Metadata.Name, meshes))
            .ToList();
        return new Detection<DetectedGateway>(found, lookedFor);
    }

    private static (string? Namespace, string? Name) ParseExisting(string? text)
    {
        if (text is null) return (null, null);
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new ConfigurationException($"'{ExistingKey}' is '{text}'; give the Gateway as namespace/name (example: gateway-system/shared)");
        return (parts[0], parts[1]);
    }

    private static async Task<IReadOnlyList<string>> MeshesAsync(RunContext run)
    {
        var crds = await run.Kubernetes.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: run.Cancellation);
        return [.. crds.Items.Select(crd => MeshCrds.GetValueOrDefault(crd.Metadata.Name)).OfType<string>().Distinct()];
    }
}
