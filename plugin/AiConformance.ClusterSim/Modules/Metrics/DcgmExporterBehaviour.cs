using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// The <c>dcgm-exporter</c> component: the GPU Operator's DaemonSet <c>nvidia-dcgm-exporter</c> with one pod on
/// every node that has whole NVIDIA GPUs (recreated when deleted, as the DaemonSet controller does) and a Service on
/// port 9400; its pods run <see cref="DcgmExporterProgram"/>.
/// </summary>
public sealed class DcgmExporterBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "dcgm-exporter";
    public const string Image = "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless";
    private const string AppName = "nvidia-dcgm-exporter";
    private static readonly ResourceKind DaemonSet = new("apps", "v1", "DaemonSet", "daemonsets", true);

    private DcgmExporterOptions options = null!;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Node, Kinds.Pod];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (options is null)
        {
            options = Cluster.Options<DcgmExporterOptions>(ComponentName);
            Cluster.Programs.Install("*/dcgm-exporter:*", new DcgmExporterProgram(options.Fault));
        }
        var owner = EnsureDaemonSet();
        var pods = Store.List(Kinds.Pod, options.Namespace).Where(p => p.ControllerUid() == owner.Uid() && !p.IsDeleting()).ToList();
        foreach (var node in Store.List(Kinds.Node).Select(n => n.Name()))
        {
            if (DcgmExporterProgram.GpusOn(Cluster, node).Count == 0 || pods.Any(p => (string?)p["spec"]?["nodeName"] == node)) continue;
            Store.Create(Kinds.Pod, Pod(owner, node));
        }
        return Task.CompletedTask;
    }

    private JsonObject EnsureDaemonSet()
    {
        if (Store.Get(Kinds.Namespace, null, options.Namespace) is null)
            Store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = options.Namespace } });
        if (Store.Get(Kinds.Service, options.Namespace, AppName) is null)
            Store.Create(Kinds.Service, new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = AppName, ["namespace"] = options.Namespace, ["labels"] = new JsonObject { ["app"] = AppName } },
                ["spec"] = new JsonObject
                {
                    ["selector"] = new JsonObject { ["app"] = AppName },
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "gpu-metrics", ["port"] = DcgmExporterProgram.Port, ["targetPort"] = DcgmExporterProgram.Port }),
                },
            });
        return Store.Get(DaemonSet, options.Namespace, AppName) ?? Store.Create(DaemonSet, new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "DaemonSet",
            ["metadata"] = new JsonObject { ["name"] = AppName, ["namespace"] = options.Namespace, ["labels"] = new JsonObject { ["app"] = AppName } },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = AppName } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = AppName, ["app.kubernetes.io/name"] = "dcgm-exporter" } },
                    ["spec"] = new JsonObject
                    {
                        ["tolerations"] = new JsonArray(new JsonObject { ["operator"] = "Exists" }),
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = AppName,
                            ["image"] = Image,
                            ["args"] = new JsonArray("-f", "/etc/dcgm-exporter/default-counters.csv"),
                            ["ports"] = new JsonArray(new JsonObject { ["name"] = "metrics", ["containerPort"] = DcgmExporterProgram.Port, ["protocol"] = "TCP" }),
                        }),
                    },
                },
            },
        });
    }

    private static JsonObject Pod(JsonObject owner, string node)
    {
        var pod = OwnedPods.FromTemplate(owner, $"{AppName}-{Names.Suffix()}", AppName + "-",
            new Dictionary<string, string> { ["pod-template-generation"] = "1" });
        pod.Child("spec")["nodeName"] = node;
        return pod;
    }
}
