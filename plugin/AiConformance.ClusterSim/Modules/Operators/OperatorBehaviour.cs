using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Programs;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>Options every operator component reads: the namespace it is installed in and, for broken scenarios, its fault.</summary>
public interface IOperatorOptions
{
    string Namespace { get; }

    IOperatorFault Fault { get; }
}

/// <summary>
/// How an operator's chart installs it: the controller Deployment (its pods labelled <see cref="Labels"/>, running
/// <see cref="Image"/>, Ready once the webhook server listens), the webhook Service in front of it and the
/// ValidatingWebhookConfiguration of its <see cref="Webhooks"/> with the CA bundle of its certificate.
/// </summary>
public sealed record OperatorInstallation(
    string Deployment, string Container, string Image, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Args, string MetricsPortName,
    string WebhookService, string WebhookConfiguration, IReadOnlyList<OperatorWebhook> Webhooks)
{
    /// <summary>controller-runtime's default webhook server port.</summary>
    public const int WebhookPort = 9443;

    public void Install(Store.IClusterStore store, IOperatorOptions options)
    {
        var ns = options.Namespace;
        if (store.Get(Kinds.Namespace, null, ns) is null)
            store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        if (store.Get(Kinds.Deployment, ns, Deployment) is null) store.Create(Kinds.Deployment, DeploymentObject(ns));
        if (store.Get(Kinds.Service, ns, WebhookService) is null)
            store.Create(Kinds.Service, AdmissionReviewServer.Service(WebhookService, ns, LabelObject(), LabelObject(), WebhookPort));
        if (options.Fault.RegistersWebhook && store.Get(AdmissionWebhooks.ValidatingConfigurations, null, WebhookConfiguration) is null)
            store.Create(AdmissionWebhooks.ValidatingConfigurations, Configuration(ns));
    }

    /// <summary>The controller runs in the operator's pod: nothing is reconciled until one is ready.</summary>
    public bool ControllerRuns(Store.IClusterStore store, string ns) =>
        store.List(Kinds.Pod, ns).Any(p => Labels.All(l => p.Label(l.Key) == l.Value) && p.IsReady() && !p.IsDeleting());

    private JsonObject LabelObject() => new(Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    private JsonObject DeploymentObject(string ns) => new()
    {
        ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = Deployment, ["namespace"] = ns, ["labels"] = LabelObject() },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 1,
            ["selector"] = new JsonObject { ["matchLabels"] = LabelObject() },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = LabelObject() },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = Container,
                        ["image"] = Image,
                        ["command"] = new JsonArray("/manager"),
                        ["args"] = new JsonArray([.. Args.Select(a => (JsonNode)a)]),
                        ["ports"] = new JsonArray(
                            new JsonObject { ["name"] = MetricsPortName, ["containerPort"] = 8080, ["protocol"] = "TCP" },
                            new JsonObject { ["name"] = "webhook-server", ["containerPort"] = WebhookPort, ["protocol"] = "TCP" }),
                        // Ready once its webhook server listens, so that the webhook Service sends calls to it only then.
                        ["readinessProbe"] = new JsonObject
                        {
                            ["tcpSocket"] = new JsonObject { ["port"] = WebhookPort },
                            ["periodSeconds"] = 1,
                        },
                    }),
                },
            },
        },
    };

    private JsonObject Configuration(string ns) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1", ["kind"] = "ValidatingWebhookConfiguration",
        ["metadata"] = new JsonObject { ["name"] = WebhookConfiguration, ["labels"] = LabelObject() },
        ["webhooks"] = new JsonArray([.. Webhooks.Select(webhook => (JsonNode)new JsonObject
        {
            ["name"] = webhook.Name,
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["clientConfig"] = AdmissionReviewServer.ClientConfig(WebhookService, ns, webhook.Path),
            ["failurePolicy"] = "Fail",
            ["sideEffects"] = "None",
            ["rules"] = new JsonArray(new JsonObject
            {
                ["apiGroups"] = new JsonArray(webhook.Kind.Group),
                ["apiVersions"] = new JsonArray(webhook.Kind.Version),
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["resources"] = new JsonArray(webhook.Kind.Plural),
            }),
        })]),
    };
}

/// <summary>One validating webhook of an operator: its name, the kind its rules name, and the path its server answers on.</summary>
public sealed record OperatorWebhook(string Name, ResourceKind Kind, string Path);

/// <summary>
/// An operator component: installs the operator as its chart does (<see cref="Installation"/>), runs its webhook
/// server as the program of its image, and, while a controller pod is ready and its fault lets it, reconciles every
/// custom resource of <see cref="Reconciled"/> that is not being deleted.
/// </summary>
public abstract class OperatorBehaviour<TOptions> : ReconcilingBehaviour where TOptions : class, IOperatorOptions, IComponentOptions<TOptions>
{
    protected TOptions Options { get; private set; } = null!;

    protected abstract OperatorInstallation Installation { get; }

    protected abstract ResourceKind Reconciled { get; }

    /// <summary>The image pattern its program is installed for (<c>*/kuberay/operator:*</c>).</summary>
    protected abstract string ImagePattern { get; }

    protected abstract IContainerProgram Program();

    protected abstract void Reconcile(JsonObject resource);

    /// <summary>A pass of the controllers the chart ships beside the operator's own (Trainer's JobSet controller), after the operator's.</summary>
    protected virtual void ReconcileCompanions()
    {
    }

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (Options is null)
        {
            Options = Cluster.Options<TOptions>(Name);
            Cluster.Programs.Install(ImagePattern, Program());
        }
        Installation.Install(Store, Options);
        if (!Options.Fault.Reconciles || !Installation.ControllerRuns(Store, Options.Namespace)) return Task.CompletedTask;
        foreach (var resource in Store.List(Reconciled).Where(r => !r.IsDeleting())) Reconcile(resource);
        ReconcileCompanions();
        return Task.CompletedTask;
    }
}
