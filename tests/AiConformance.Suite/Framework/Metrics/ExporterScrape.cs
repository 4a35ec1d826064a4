using System.Globalization;
using AiConformance.Workloads.Metrics;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>
/// Reads a pod's metrics through the API server's pod proxy (<c>pods/{name}:{port}/proxy/{path}</c>), as
/// <c>kubectl get --raw</c> would, and parses them as Prometheus text or OpenMetrics.
/// </summary>
public static class ExporterScrape
{
    public static Task<Exposition> ReadAsync(RunContext run, MetricsExporter exporter, V1Pod pod) =>
        ReadAsync(run, pod, exporter.Profile.Port, exporter.Profile.Path, $"{exporter.Name} on {pod.Spec.NodeName}");

    /// <param name="who">Names the server in the failure when its answer is not a metrics exposition.</param>
    public static async Task<Exposition> ReadAsync(RunContext run, V1Pod pod, int port, string path, string who)
    {
        var name = $"{pod.Metadata.Name}:{port.ToString(CultureInfo.InvariantCulture)}";
        await using var body = await run.Kubernetes.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(
            name, pod.Metadata.NamespaceProperty, path.TrimStart('/'), cancellationToken: run.Cancellation);
        using var reader = new StreamReader(body);
        var text = await reader.ReadToEndAsync(run.Cancellation);
        try
        {
            return Exposition.Parse(text);
        }
        catch (ExpositionFormatException error)
        {
            throw new NUnit.Framework.AssertionException(
                $"{who}: its {path} is not Prometheus text or OpenMetrics (line {error.Line}: {error.Message})");
        }
    }
}
