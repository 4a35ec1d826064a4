using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>
/// The <c>prometheus</c> component: a Prometheus server in <c>monitoring</c>, as kube-prometheus installs it through
/// the Prometheus Operator (a <c>Prometheus</c> named <c>k8s</c> selecting every PodMonitor and ServiceMonitor in every
/// namespace, its StatefulSet's pod <c>prometheus-k8s-0</c> and the operator's headless Service
/// <c>prometheus-operated</c> on port <c>web</c> 9090), or, with <c>discovery: annotations</c>, as the Prometheus Helm
/// chart does (StatefulSet and Service <c>prometheus-server</c>, port 80 to 9090, scraping annotated pods). The pod is
/// recreated when deleted and runs <see cref="PrometheusProgram"/>.
/// </summary>
public sealed class PrometheusBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "prometheus";
    public const string Image = "quay.io/prometheus/prometheus:v3.5.0";

    private PrometheusOptions options = null!;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod];

    private bool ThroughOperator => options.Discovery == TargetDiscovery.Operator;

    /// <summary>The Prometheus object's name (operator) or the release's (Helm chart).</summary>
    private string Instance => ThroughOperator ? "k8s" : "prometheus-server";

    private string StatefulSetName => ThroughOperator ? "prometheus-k8s" : "prometheus-server";

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (options is null)
        {
            options = Cluster.Options<PrometheusOptions>(ComponentName);
            Cluster.Programs.Install("*prometheus/prometheus:*", new PrometheusProgram(options, Instance));
        }
        EnsureNamespace();
        if (ThroughOperator) EnsurePrometheus();
        EnsureService();
        var owner = EnsureStatefulSet();
        var podName = $"{StatefulSetName}-0";
        if (Store.Get(Kinds.Pod, options.Namespace, podName) is null)
        {
            var pod = OwnedPods.FromTemplate(owner, podName, "", new Dictionary<string, string>
            {
                ["apps.kubernetes.io/pod-index"] = "0", ["statefulset.kubernetes.io/pod-name"] = podName,
            });
            pod.Metadata().Remove("generateName");
            Store.Create(Kinds.Pod, pod);
        }
        return Task.CompletedTask;
    }

    private Dictionary<string, string> PodLabels() => ThroughOperator
        ? new() { ["app.kubernetes.io/name"] = "prometheus", ["app.kubernetes.io/instance"] = Instance, ["app.kubernetes.io/managed-by"] = "prometheus-operator", ["prometheus"] = Instance, ["operator.prometheus.io/name"] = Instance }
        : new() { ["app.kubernetes.io/name"] = "prometheus", ["app.kubernetes.io/instance"] = "prometheus", ["app.kubernetes.io/component"] = "server" };

    private static JsonObject Map(IReadOnlyDictionary<string, string> labels) =>
        new(labels.Select(label => KeyValuePair.Create(label.Key, (JsonNode?)label.Value)));

    private void EnsureNamespace()
    {
        if (Store.Get(Kinds.Namespace, null, options.Namespace) is null)
            Store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = options.Namespace } });
    }

    private void EnsurePrometheus()
    {
        if (Store.Get(ScrapeTargets.Prometheus, options.Namespace, Instance) is not null) return;
        var interval = $"{(long)options.ScrapeInterval.TotalMilliseconds}ms";
        var created = Store.Create(ScrapeTargets.Prometheus, new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1", ["kind"] = "Prometheus",
            ["metadata"] = new JsonObject { ["name"] = Instance, ["namespace"] = options.Namespace, ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "prometheus", ["prometheus"] = Instance } },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["version"] = Image.Split(':')[^1],
                ["serviceAccountName"] = "prometheus-k8s",
                ["scrapeInterval"] = interval,
                ["podMonitorSelector"] = new JsonObject(),
                ["podMonitorNamespaceSelector"] = new JsonObject(),
                ["serviceMonitorSelector"] = new JsonObject(),
                ["serviceMonitorNamespaceSelector"] = new JsonObject(),
            },
        });
        Store.Mutate(ScrapeTargets.Prometheus, options.Namespace, created.Name(), prometheus =>
        {
            var status = prometheus.Child("status");
            status["replicas"] = 1;
            status["availableReplicas"] = 1;
            status["updatedReplicas"] = 1;
            status["unavailableReplicas"] = 0;
            status["paused"] = false;
            status["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "Available", ["status"] = "True", ["lastTransitionTime"] = Json.Now(), ["observedGeneration"] = 1 },
                new JsonObject { ["type"] = "Reconciled", ["status"] = "True", ["lastTransitionTime"] = Json.Now(), ["observedGeneration"] = 1 });
        }, statusOnly: true);
    }

    private void EnsureService()
    {
        var name = ThroughOperator ? "prometheus-operated" : "prometheus-server";
        if (Store.Get(Kinds.Service, options.Namespace, name) is not null) return;
        var labels = ThroughOperator
            ? new JsonObject { ["operated-prometheus"] = "true", ["managed-by"] = "prometheus-operator" }
            : Map(PodLabels());
        var spec = new JsonObject
        {
            ["selector"] = new JsonObject { ["app.kubernetes.io/name"] = "prometheus" },
            ["ports"] = new JsonArray(new JsonObject
            {
                ["name"] = ThroughOperator ? "web" : "http", ["port"] = ThroughOperator ? PrometheusProgram.Port : 80, ["targetPort"] = PrometheusProgram.Port,
            }),
        };
        if (ThroughOperator) spec["clusterIP"] = "None";
        Store.Create(Kinds.Service, new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = options.Namespace, ["labels"] = labels },
            ["spec"] = spec,
        });
    }

    private JsonObject EnsureStatefulSet() => Store.Get(Kinds.StatefulSet, options.Namespace, StatefulSetName) ?? Store.Create(Kinds.StatefulSet, new JsonObject
    {
        ["apiVersion"] = "apps/v1", ["kind"] = "StatefulSet",
        ["metadata"] = new JsonObject { ["name"] = StatefulSetName, ["namespace"] = options.Namespace, ["labels"] = Map(PodLabels()) },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 1,
            ["serviceName"] = ThroughOperator ? "prometheus-operated" : "prometheus-server",
            ["selector"] = new JsonObject { ["matchLabels"] = Map(PodLabels()) },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Map(PodLabels()) },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "prometheus",
                        ["image"] = Image,
                        ["args"] = new JsonArray("--config.file=/etc/prometheus/config_out/prometheus.env.yaml", "--storage.tsdb.retention.time=24h", "--web.enable-lifecycle"),
                        // No readiness probe (the real pod's probes /-/ready): the kubelet's prober is an HTTP client, and this pod
                        // runs in every reference run, whose network traffic must stay within the simulated pod network's sockets.
                        ["ports"] = new JsonArray(new JsonObject { ["name"] = "web", ["containerPort"] = PrometheusProgram.Port, ["protocol"] = "TCP" }),
                    }),
                },
            },
        },
    });
}
