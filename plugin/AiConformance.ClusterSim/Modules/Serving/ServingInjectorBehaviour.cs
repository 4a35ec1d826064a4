using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Serving;

/// <summary>
/// The <c>serving-injector</c> component: a model-serving platform's pod injector, as its chart installs it (the
/// <c>serving-injector</c> Deployment, its webhook Service and a MutatingWebhookConfiguration with the CA bundle of the
/// webhook's certificate); its pod runs <see cref="ServingInjectorProgram"/>, which the API server calls over the pod
/// network for every pod created with an <c>app.kubernetes.io/name</c> label outside the injector's own namespace
/// and <c>kube-system</c>. Like many injectors its failurePolicy is Ignore, so that pods are still created while it is
/// down.
/// </summary>
public sealed class ServingInjectorBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "serving-injector";
    public const string Image = "registry.example.com/serving-platform/injector:v1.0.0";
    public const string WebhookName = "pods.injector.serving.example.com";

    private const string AppName = "serving-injector";
    private const string WebhookService = "serving-injector-webhook";

    private ServingInjectorOptions options = null!;

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Deployment, Kinds.Service, AdmissionWebhooks.MutatingConfigurations];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (options is null)
        {
            options = Cluster.Options<ServingInjectorOptions>(ComponentName);
            Cluster.Programs.Install("*/serving-platform/injector:*", new ServingInjectorProgram(options.Fault));
        }
        var ns = options.Namespace;
        if (Store.Get(Kinds.Namespace, null, ns) is null)
            Store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        if (Store.Get(Kinds.Deployment, ns, AppName) is null) Store.Create(Kinds.Deployment, Deployment(ns));
        if (Store.Get(Kinds.Service, ns, WebhookService) is null)
            Store.Create(Kinds.Service, AdmissionReviewServer.Service(WebhookService, ns, Labels(), Labels(), ServingInjectorProgram.WebhookPort));
        if (Store.Get(AdmissionWebhooks.MutatingConfigurations, null, AppName) is null)
            Store.Create(AdmissionWebhooks.MutatingConfigurations, Configuration(ns));
        return Task.CompletedTask;
    }

    private static JsonObject Labels() => new() { ["app.kubernetes.io/name"] = AppName };

    private static JsonObject Deployment(string ns) => new()
    {
        ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = AppName, ["namespace"] = ns, ["labels"] = Labels() },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = Labels() },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Labels() },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "injector",
                        ["image"] = Image,
                        ["args"] = new JsonArray($"--webhook-port={ServingInjectorProgram.WebhookPort}"),
                        ["ports"] = new JsonArray(new JsonObject { ["name"] = "webhook-server", ["containerPort"] = ServingInjectorProgram.WebhookPort, ["protocol"] = "TCP" }),
                        // Ready, and so behind its Service, only once the webhook server listens.
                        ["readinessProbe"] = new JsonObject
                        {
                            ["tcpSocket"] = new JsonObject { ["port"] = "webhook-server" },
                            ["periodSeconds"] = 10,
                        },
                    }),
                },
            },
        },
    };

    private static JsonObject Configuration(string ns) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1", ["kind"] = "MutatingWebhookConfiguration",
        ["metadata"] = new JsonObject { ["name"] = AppName, ["labels"] = Labels() },
        ["webhooks"] = new JsonArray(new JsonObject
        {
            ["name"] = WebhookName,
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["clientConfig"] = AdmissionReviewServer.ClientConfig(WebhookService, ns, ServingInjectorProgram.MutatePath),
            ["failurePolicy"] = "Ignore",
            ["sideEffects"] = "None",
            ["reinvocationPolicy"] = "Never",
            ["rules"] = new JsonArray(new JsonObject
            {
                ["apiGroups"] = new JsonArray(""),
                ["apiVersions"] = new JsonArray("v1"),
                ["operations"] = new JsonArray("CREATE"),
                ["resources"] = new JsonArray("pods"),
                ["scope"] = "Namespaced",
            }),
            ["namespaceSelector"] = new JsonObject
            {
                ["matchExpressions"] = new JsonArray(new JsonObject
                {
                    ["key"] = "kubernetes.io/metadata.name", ["operator"] = "NotIn", ["values"] = new JsonArray(ns, "kube-system"),
                }),
            },
            ["objectSelector"] = new JsonObject
            {
                ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "app.kubernetes.io/name", ["operator"] = "Exists" }),
            },
        }),
    };
}
