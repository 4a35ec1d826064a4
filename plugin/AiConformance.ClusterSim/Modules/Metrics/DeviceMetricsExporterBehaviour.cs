using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Metrics;

/// <summary>
/// An accelerator metrics exporter component (<see cref="ExporterFlavour"/>: dcgm-exporter, AMD's
/// device-metrics-exporter, AWS's neuron-monitor): its DaemonSet with one pod on every node that has the devices it reads (recreated when
/// deleted, as the DaemonSet controller does) and, where its manifests have one, a Service on its port; its pods run <see cref="DeviceMetricsExporterProgram"/>.
/// </summary>
public sealed class DeviceMetricsExporterBehaviour(ExporterFlavour flavour) : ReconcilingBehaviour
{
    private static readonly ResourceKind DaemonSet = new("apps", "v1", "DaemonSet", "daemonsets", true);

    private string ns = null!;

    public override string Name => flavour.ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Node, Kinds.Pod];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (ns is null)
        {
            var options = Cluster.Options<DeviceMetricsExporterOptions>(flavour.ComponentName);
            ns = options.Namespace ?? flavour.DefaultNamespace;
            Cluster.Programs.Install(flavour.ImagePattern, new DeviceMetricsExporterProgram(flavour, options.Fault));
        }
        var owner = EnsureDaemonSet();
        var pods = Store.List(Kinds.Pod, ns).Where(p => p.ControllerUid() == owner.Uid() && !p.IsDeleting()).ToList();
        foreach (var node in Store.List(Kinds.Node).Select(n => n.Name()))
        {
            if (DeviceMetricsExporterProgram.DevicesOn(Cluster, flavour, node).Count == 0 || pods.Any(p => (string?)p["spec"]?["nodeName"] == node)) continue;
            Store.Create(Kinds.Pod, Pod(owner, node));
        }
        return Task.CompletedTask;
    }

    private JsonObject EnsureDaemonSet()
    {
        var appLabels = new JsonObject { ["app"] = flavour.AppName };
        if (Store.Get(Kinds.Namespace, null, ns) is null)
            Store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        if (flavour.HasService && Store.Get(Kinds.Service, ns, flavour.AppName) is null)
            Store.Create(Kinds.Service, new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = flavour.AppName, ["namespace"] = ns, ["labels"] = appLabels.DeepClone() },
                ["spec"] = new JsonObject
                {
                    ["selector"] = PodLabels(),
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "gpu-metrics", ["port"] = flavour.Port, ["targetPort"] = flavour.Port }),
                },
            });
        return Store.Get(DaemonSet, ns, flavour.AppName) ?? Store.Create(DaemonSet, new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "DaemonSet",
            ["metadata"] = new JsonObject { ["name"] = flavour.AppName, ["namespace"] = ns, ["labels"] = appLabels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = PodLabels() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = PodLabels() },
                    ["spec"] = new JsonObject
                    {
                        ["tolerations"] = new JsonArray(new JsonObject { ["operator"] = "Exists" }),
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = flavour.AppName,
                            ["image"] = flavour.Image,
                            ["args"] = new JsonArray([.. flavour.Args.Select(arg => JsonValue.Create(arg))]),
                            ["ports"] = new JsonArray(new JsonObject { ["name"] = "metrics", ["containerPort"] = flavour.Port, ["protocol"] = "TCP" }),
                        }),
                    },
                },
            },
        });
    }

    private JsonObject PodLabels() => new([.. flavour.PodLabels.Select(label => KeyValuePair.Create(label.Key, (JsonNode?)label.Value))]);

    private JsonObject Pod(JsonObject owner, string node)
    {
        var pod = OwnedPods.FromTemplate(owner, $"{flavour.AppName}-{Names.Suffix()}", flavour.AppName + "-",
            new Dictionary<string, string> { ["pod-template-generation"] = "1" });
        pod.Child("spec")["nodeName"] = node;
        return pod;
    }
}
