using System.Text.Json.Nodes;
using AiConformance.Workloads;
using AiConformance.Workloads.Serving;
using k8s.Models;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>
/// Two <c>serve-model</c> Deployments of one pod each, serving the same model name (unique to the test): <c>model</c>,
/// which the test sends traffic to, and <c>idle</c>, which it never does (the negative control), each behind a Service,
/// made scrapeable the way the monitoring system discovers targets: a PodMonitor or ServiceMonitor that its
/// Prometheus selects, or the <c>prometheus.io/*</c> annotations a plain Prometheus scrapes.
/// </summary>
public sealed class MonitoredModelServers : IAsyncDisposable
{
    public const string Loaded = "model";
    public const string Idle = "idle";
    public const string Metric = "vllm:request_success_total";
    private const string MonitoredLabel = "app.kubernetes.io/part-of";
    private const string MonitoredValue = "ai-service-metrics";
    private const string MonitorName = "ai-service-metrics";

    private readonly TestNamespace ns;
    private readonly MonitoringSystem system;
    private readonly Dictionary<string, string> pods = [];

    private MonitoredModelServers(TestNamespace ns, MonitoringSystem system)
    {
        this.ns = ns;
        this.system = system;
        Model = $"aiconformance/{ns.Name}";
    }

    /// <summary>The model name both servers report as <c>model_name</c>; no other workload in the cluster has it.</summary>
    public string Model { get; }

    /// <summary>The instant query for both servers' request counters.</summary>
    public string Query => $"{Metric}{{model_name=\"{Model}\"}}";

    /// <summary>The pod of the Deployment <paramref name="deployment"/> (<see cref="Loaded"/> or <see cref="Idle"/>).</summary>
    public string Pod(string deployment) => pods[deployment];

    public string CompletionsUrl => $"http://{Loaded}:{ModelServer.DefaultPort}/v1/completions";

    public string CompletionRequest => new JsonObject { ["model"] = Model, ["prompt"] = "count me", ["max_tokens"] = 8 }.ToJsonString();

    public static async Task<MonitoredModelServers> StartAsync(TestNamespace ns, MonitoringSystem system)
    {
        var servers = new MonitoredModelServers(ns, system);
        foreach (var name in new[] { Loaded, Idle }) await servers.DeployAsync(name);
        await servers.DeclareScrapeAsync();
        foreach (var name in new[] { Loaded, Idle })
        {
            var running = await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: $"{RoleWorkloads.AppLabel}={name}"))
                .Until($"the {name} model server to be ready", seen => seen.Any(PodWaits.IsReady)).DescribedBy(PodWaits.Describe)
                .Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
            servers.pods[name] = running.First(PodWaits.IsReady).Metadata.Name;
        }
        Evidence.Observed("model server pods", string.Join(", ", servers.pods.Select(pod => $"{pod.Key}: {ns.Name}/{pod.Value}")));
        return servers;
    }

    private async Task DeployAsync(string name)
    {
        var spec = RoleWorkloads.PodSpec(ns.Run.Configuration, WorkloadRoles.ServeModel,
            ["--port", RoleWorkloads.Number(ModelServer.DefaultPort), "--model", Model], port: ModelServer.DefaultPort, readinessPath: "/health");
        var deployment = RoleWorkloads.Deployment(name, 1, spec);
        deployment.Spec.Template.Metadata.Labels[MonitoredLabel] = MonitoredValue;
        if (system.Discovery == ScrapeDiscovery.Annotations)
            deployment.Spec.Template.Metadata.Annotations = new Dictionary<string, string>
            {
                ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = RoleWorkloads.Number(ModelServer.DefaultPort), ["prometheus.io/path"] = "/metrics",
            };
        await ns.CreateAsync(deployment);
        var service = RoleWorkloads.Service(name, ModelServer.DefaultPort, ModelServer.DefaultPort);
        service.Metadata.Labels = new Dictionary<string, string> { [MonitoredLabel] = MonitoredValue };
        await ns.CreateAsync(service);
    }

    private string MonitorNamespace => system.MonitorNamespace ?? ns.Name;

    private async Task DeclareScrapeAsync()
    {
        var selector = new JsonObject { ["matchLabels"] = new JsonObject { [MonitoredLabel] = MonitoredValue } };
        var metadata = new V1ObjectMeta { Name = MonitorName, NamespaceProperty = MonitorNamespace, Labels = system.MonitorLabels.ToDictionary() };
        // A Prometheus that looks for monitors only in its own namespace gets one there, pointed at the test's namespace.
        JsonObject? namespaceSelector = system.MonitorNamespace is null ? null : new JsonObject { ["matchNames"] = new JsonArray(ns.Name) };
        switch (system.Discovery)
        {
            case ScrapeDiscovery.PodMonitor:
                await CreateMonitorAsync(new PodMonitor
                {
                    Metadata = metadata,
                    Spec = new JsonObject
                    {
                        ["selector"] = selector, ["namespaceSelector"] = namespaceSelector,
                        ["podMetricsEndpoints"] = new JsonArray(new JsonObject { ["port"] = "http", ["path"] = "/metrics" }),
                    },
                });
                break;
            case ScrapeDiscovery.ServiceMonitor:
                await CreateMonitorAsync(new ServiceMonitor
                {
                    Metadata = metadata,
                    Spec = new JsonObject
                    {
                        ["selector"] = selector, ["namespaceSelector"] = namespaceSelector,
                        ["endpoints"] = new JsonArray(new JsonObject { ["port"] = "http", ["path"] = "/metrics" }),
                    },
                });
                break;
            default:
                Evidence.Step("The model servers' pods carry prometheus.io/scrape: \"true\", prometheus.io/port and prometheus.io/path");
                break;
        }
    }

    private async Task CreateMonitorAsync<T>(T monitor) where T : MonitoringObject
    {
        if (monitor.Spec!["namespaceSelector"] is null) monitor.Spec.Remove("namespaceSelector");
        if (system.MonitorNamespace is null)
        {
            await ns.CreateAsync(monitor);
            return;
        }
        foreach (var (key, value) in TestNamespace.RunLabels(ns.Run)) monitor.Metadata.Labels[key] = value;
        await new ClusterObjects<T>(ns.Kubernetes, system.MonitorNamespace).CreateAsync(monitor, ns.Cancellation);
        Evidence.Created(monitor.Kind, system.MonitorNamespace, MonitorName);
        cleanup = () => new ClusterObjects<T>(ns.Kubernetes, system.MonitorNamespace).DeleteAsync(MonitorName, CancellationToken.None);
    }

    private Func<Task>? cleanup;

    /// <summary>Deletes a monitor created outside the test's namespace (what is inside goes with the namespace).</summary>
    public async ValueTask DisposeAsync()
    {
        if (cleanup is not null) await cleanup();
    }
}
