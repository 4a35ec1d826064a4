using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The prometheus component in a cluster: a PodMonitor's target is scraped over the pod network and its series,
/// labelled as the Prometheus Operator's configuration labels them, are answered through the API server's service
/// proxy; a target that goes away goes stale; a Service without endpoints answers 503 through the proxy.
/// </summary>
public sealed class PrometheusClusterTests : SimulatedClusterFixture
{
    protected override string ScenarioYaml => """
        name: prometheus-tests
        kubernetesVersion: v1.35
        crds: [prometheus-operator-v0.93.0]
        nodes:
          - name: worker
        components:
          nodes: {}
          namespace-defaults: {}
          scheduler: {}
          kubelet: {}
          endpointslice-controller: {}
          prometheus: {options: {scrapeInterval: 200ms}}
        programs:
          - image: "*demo-exporter*"
            runsFor: null
            serves:
              - port: 8080
                path: /metrics
                body: |
                  # TYPE demo_requests_total counter
                  demo_requests_total{code="200",namespace="app-says"} 7
        """;

    [Test]
    public async Task APodMonitorsTargetIsCollectedWithTheOperatorsLabelsAndGoesStaleWhenItsPodIsGone()
    {
        var ns = await NewNamespaceAsync();
        var exporter = Container("exporter", "example.com/demo-exporter:1");
        exporter.Ports = [new V1ContainerPort { Name = "metrics", ContainerPort = 8080 }];
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "demo", Labels = new Dictionary<string, string> { ["app"] = "demo" } },
            Spec = new V1PodSpec { Containers = [exporter] },
        }, ns, cancellationToken: Timeout);
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1", ["kind"] = "PodMonitor",
            ["metadata"] = new JsonObject { ["name"] = "demo" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "demo" } },
                ["podMetricsEndpoints"] = new JsonArray(new JsonObject { ["port"] = "metrics" }),
            },
        }, "monitoring.coreos.com", "v1", ns, "podmonitors", cancellationToken: Timeout);
        var pod = await PodEventuallyAsync(ns, "demo", p => p.Status?.Phase == "Running", "Running");

        var series = await QueryUntilAsync("demo_requests_total", result => result.Count == 1);
        var labels = series.Single()!["metric"]!.AsObject().ToDictionary(pair => pair.Key, pair => (string?)pair.Value);
        Assert.Multiple(() =>
        {
            Assert.That(labels, Does.ContainKey("job").WithValue($"{ns}/demo"));
            Assert.That(labels, Does.ContainKey("namespace").WithValue(ns), "the target's namespace wins over the scraped label");
            Assert.That(labels, Does.ContainKey("exported_namespace").WithValue("app-says"));
            Assert.That(labels, Does.ContainKey("pod").WithValue("demo"));
            Assert.That(labels, Does.ContainKey("container").WithValue("exporter"));
            Assert.That(labels, Does.ContainKey("endpoint").WithValue("metrics"));
            Assert.That(labels, Does.ContainKey("instance").WithValue($"{pod.Status.PodIP}:8080"));
            Assert.That((string?)series.Single()!["value"]![1], Is.EqualTo("7"));
        });

        await Client.CoreV1.DeleteNamespacedPodAsync("demo", ns, gracePeriodSeconds: 0, cancellationToken: Timeout);
        Assert.That(await QueryUntilAsync("demo_requests_total", result => result.Count == 0), Is.Empty, "a target gone is stale at the next scrape");
    }

    [Test]
    public async Task AServiceWithoutEndpointsAnswers503ThroughTheProxy()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "nobody" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "nobody" }, Ports = [new V1ServicePort { Name = "web", Port = 80 }] },
        }, ns, cancellationToken: Timeout);
        var error = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ConnectGetNamespacedServiceProxyWithPathAsync("nobody:web", ns, "metrics", cancellationToken: Timeout));
        Assert.That((int)error!.Response.StatusCode, Is.EqualTo(503));
        Assert.That(error.Response.Content, Does.Contain("no endpoints available for service").And.Contain("nobody"));
    }

    /// <summary>Queries the Prometheus through the service proxy until the result satisfies <paramref name="done"/>.</summary>
    private async Task<JsonArray> QueryUntilAsync(string query, Func<JsonArray, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        JsonArray result;
        do
        {
            await using var body = await Client.CoreV1.ConnectGetNamespacedServiceProxyWithPathAsync("prometheus-operated:web", "monitoring",
                $"api/v1/query?query={Uri.EscapeDataString(query)}", cancellationToken: Timeout);
            var answer = JsonNode.Parse(await new StreamReader(body).ReadToEndAsync())!;
            Assert.That((string?)answer["status"], Is.EqualTo("success"));
            result = answer["data"]!["result"]!.AsArray();
            if (done(result)) return result;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"`{query}` never gave the expected answer; last: {result.ToJsonString()}");
        return result;
    }
}
