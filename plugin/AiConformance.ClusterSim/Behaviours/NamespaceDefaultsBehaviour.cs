using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// The ServiceAccount and root-CA publisher controllers: every active namespace gets its <c>default</c>
/// ServiceAccount and the <c>kube-root-ca.crt</c> ConfigMap, which pods mount.
/// </summary>
public sealed class NamespaceDefaultsBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "namespace-defaults";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Namespace, Kinds.ServiceAccount, Kinds.ConfigMap];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var ns in Store.List(Kinds.Namespace).Where(n => !n.IsDeleting()))
        {
            var name = ns.Name();
            TryCreate(Kinds.ServiceAccount, name, "default", new JsonObject());
            TryCreate(Kinds.ConfigMap, name, "kube-root-ca.crt", new JsonObject
            {
                ["data"] = new JsonObject { ["ca.crt"] = "-----BEGIN CERTIFICATE-----\nsimulated-cluster-root-ca\n-----END CERTIFICATE-----\n" },
            });
        }
        return Task.CompletedTask;
    }

    private void TryCreate(ResourceKind kind, string ns, string name, JsonObject body)
    {
        if (Store.Get(kind, ns, name) is not null) return;
        body["apiVersion"] = kind.ApiVersion;
        body["kind"] = kind.Kind;
        body["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns };
        try { Store.Create(kind, body); }
        catch (StatusException e) when (e.Code is 409 or 404 or 403) { }
    }
}
