using System.Globalization;
using AiConformance.Workloads.Metrics;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>
/// Reads an exporter pod's metrics through the API server's pod proxy (<c>pods/{name}:{port}/proxy/metrics</c>), as
/// <c>kubectl get --raw</c> would, and parses them as Prometheus text or OpenMetrics.
/// </summary>
public static class ExporterScrape
{
    public static async Task<Exposition> ReadAsync(RunContext run, MetricsExporter exporter, V1Pod pod)
    {
        var name = $"{pod.Metadata.Name}:{exporter.Profile.Port.ToString(CultureInfo.InvariantCulture)}";
        await using var body = await run.Kubernetes.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(
            name, pod.Metadata.NamespaceProperty, exporter.Profile.Path.TrimStart('/'), cancellationToken: run.Cancellation);
        using var reader = new StreamReader(body);
        var text = await reader.ReadToEndAsync(run.Cancellation);
        try
        {
            return Exposition.Parse(text);
        }
        catch (ExpositionFormatException error)
        {
            throw new NUnit.Framework.AssertionException(
                $"{exporter.Name} on {pod.Spec.NodeName}: its {exporter.Profile.Path} is not Prometheus text or OpenMetrics (line {error.Line}: {error.Message})");
        }
    }
}
