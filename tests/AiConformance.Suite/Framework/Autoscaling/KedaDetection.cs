using k8s.Models;

namespace AiConformance.Suite.Framework.Autoscaling;

/// <summary>KEDA as found: its ScaledObject API and the external metrics API its metrics server should serve.</summary>
public sealed record DetectedKeda(ApiKind ScaledObjects, MetricsApi? MetricsServer) : IDetected
{
    public string Name => "KEDA";

    public string Summary => $"ScaledObjects ({ScaledObjects.ApiVersion}); external metrics API: {MetricsServer?.Describe() ?? "none Available"}";
}

/// <summary>
/// Finds KEDA by its CRD <c>scaledobjects.keda.sh</c> (a served version), and the Available
/// <c>external.metrics.k8s.io</c> APIService through which its metrics server must answer the HPAs it creates.
/// </summary>
public static class KedaDetection
{
    public const string Crd = "scaledobjects.keda.sh";

    public static async Task<Detection<DetectedKeda>> DetectAsync(RunContext run)
    {
        var lookedFor = new List<string> { $"the CustomResourceDefinition {Crd} with a served version" };
        var crd = await new ClusterObjects<V1CustomResourceDefinition>(run.Kubernetes, null).GetAsync(Crd, run.Cancellation);
        if (crd?.Spec.Versions.FirstOrDefault(version => version.Served) is not { } served) return new Detection<DetectedKeda>([], lookedFor);
        var apis = await MetricsApiDetection.DetectAsync(run);
        return new Detection<DetectedKeda>([new DetectedKeda(new ApiKind("keda.sh", served.Name, "scaledobjects", "ScaledObject"), apis.External)], lookedFor);
    }
}
