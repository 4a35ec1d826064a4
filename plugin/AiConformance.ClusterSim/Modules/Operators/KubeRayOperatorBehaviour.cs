using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The <c>kuberay-operator</c> component: KubeRay installed as its Helm chart with webhooks installs it (the
/// <c>kuberay-operator</c> Deployment, its webhook Service and the ValidatingWebhookConfiguration with the CA bundle
/// of the webhook's certificate); its pod runs <see cref="KubeRayOperatorProgram"/>. While an operator pod is ready,
/// the controller reconciles every RayCluster (<see cref="RayClusterReconciler"/>). The CRDs come from the scenario
/// (<c>crds: [kuberay-v1.7.0]</c>), as a chart's <c>crds/</c> folder installs them before the chart.
/// </summary>
public sealed class KubeRayOperatorBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "kuberay-operator";
    public const string Image = "quay.io/kuberay/operator:v1.7.0";
    public const string WebhookName = "vraycluster.kb.io";
    public static readonly ResourceKind RayCluster = new("ray.io", "v1", "RayCluster", "rayclusters", true);

    private const string AppName = "kuberay-operator";
    private const string WebhookService = "kuberay-webhook-service";
    private const string WebhookConfiguration = "kuberay-validating-webhook-configuration";

    private KubeRayOperatorOptions options = null!;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.Service, RayCluster];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (options is null)
        {
            options = Cluster.Options<KubeRayOperatorOptions>(ComponentName);
            Cluster.Programs.Install("*/kuberay/operator:*", new KubeRayOperatorProgram());
        }
        Install();
        if (!options.Fault.Reconciles || !ControllerRuns()) return Task.CompletedTask;
        foreach (var rayCluster in Store.List(RayCluster).Where(c => !c.IsDeleting()))
            RayClusterReconciler.Reconcile(Store, rayCluster, options.Fault);
        return Task.CompletedTask;
    }

    /// <summary>The controller runs in the operator's pod: nothing is reconciled until one is ready.</summary>
    private bool ControllerRuns() =>
        Store.List(Kinds.Pod, options.Namespace).Any(p => p.Label("app.kubernetes.io/name") == AppName && p.IsReady() && !p.IsDeleting());

    private void Install()
    {
        var ns = options.Namespace;
        if (Store.Get(Kinds.Namespace, null, ns) is null)
            Store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        if (Store.Get(Kinds.Deployment, ns, AppName) is null) Store.Create(Kinds.Deployment, Deployment(ns));
        if (Store.Get(Kinds.Service, ns, WebhookService) is null)
            Store.Create(Kinds.Service, AdmissionReviewServer.Service(WebhookService, ns, Labels(), new JsonObject { ["app.kubernetes.io/name"] = AppName },
                KubeRayOperatorProgram.WebhookPort));
        if (options.Fault.RegistersWebhook && Store.Get(AdmissionWebhooks.ValidatingConfigurations, null, WebhookConfiguration) is null)
            Store.Create(AdmissionWebhooks.ValidatingConfigurations, Configuration(ns));
    }

    private static JsonObject Labels() => new()
    {
        ["app.kubernetes.io/name"] = AppName,
        ["app.kubernetes.io/instance"] = AppName,
        ["app.kubernetes.io/component"] = AppName,
    };

    private static JsonObject Deployment(string ns) => new()
    {
        ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = AppName, ["namespace"] = ns, ["labels"] = Labels() },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = AppName, ["app.kubernetes.io/instance"] = AppName } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Labels() },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = AppName,
                        ["image"] = Image,
                        ["command"] = new JsonArray("/manager"),
                        ["args"] = new JsonArray("--feature-gates=RayClusterStatusConditions=true", "--enable-leader-election=true"),
                        ["ports"] = new JsonArray(
                            new JsonObject { ["name"] = "http", ["containerPort"] = 8080, ["protocol"] = "TCP" },
                            new JsonObject { ["name"] = "webhook-server", ["containerPort"] = KubeRayOperatorProgram.WebhookPort, ["protocol"] = "TCP" }),
                        // Ready once its webhook server listens, so that the webhook Service sends calls to it only then.
                        ["readinessProbe"] = new JsonObject
                        {
                            ["tcpSocket"] = new JsonObject { ["port"] = KubeRayOperatorProgram.WebhookPort },
                            ["periodSeconds"] = 1,
                        },
                    }),
                },
            },
        },
    };

    private static JsonObject Configuration(string ns) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1", ["kind"] = "ValidatingWebhookConfiguration",
        ["metadata"] = new JsonObject { ["name"] = WebhookConfiguration, ["labels"] = Labels() },
        ["webhooks"] = new JsonArray(new JsonObject
        {
            ["name"] = WebhookName,
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["clientConfig"] = AdmissionReviewServer.ClientConfig(WebhookService, ns, KubeRayOperatorProgram.ValidatePath),
            ["failurePolicy"] = "Fail",
            ["sideEffects"] = "None",
            ["rules"] = new JsonArray(new JsonObject
            {
                ["apiGroups"] = new JsonArray("ray.io"),
                ["apiVersions"] = new JsonArray("v1"),
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["resources"] = new JsonArray("rayclusters"),
            }),
        }),
    };
}
