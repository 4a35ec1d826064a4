using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Controllers;

/// <summary>
/// The Deployment controller: one ReplicaSet per pod template (<c>&lt;name&gt;-&lt;pod-template-hash&gt;</c>), the
/// current one scaled to <c>replicas</c> and older ones to zero, and the status counts and Available/Progressing
/// conditions rollouts are watched by.
/// </summary>
public sealed class DeploymentControllerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "deployment-controller";
    private const string HashLabel = "pod-template-hash";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Deployment, Kinds.ReplicaSet];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var replicaSets = Store.List(Kinds.ReplicaSet);
        foreach (var deployment in Store.List(Kinds.Deployment).Where(d => !d.IsDeleting()))
        {
            var owned = replicaSets.Where(r => r.ControllerUid() == deployment.Uid()).ToList();
            var hash = TemplateHash(deployment["spec"]?["template"]);
            var replicas = JsonNumber.Int(deployment["spec"]?["replicas"]) ?? 1;
            var current = owned.FirstOrDefault(r => r.Label(HashLabel) == hash) ?? CreateReplicaSet(deployment, hash, replicas, owned.Count + 1);
            if (current is null) continue;
            if (JsonNumber.Int(current["spec"]?["replicas"]) != replicas)
                Store.Mutate(Kinds.ReplicaSet, current.Namespace(), current.Name(), r => r.Child("spec")["replicas"] = replicas);
            foreach (var old in owned.Where(r => r.Uid() != current.Uid() && JsonNumber.Int(r["spec"]?["replicas"]) != 0))
                Store.Mutate(Kinds.ReplicaSet, old.Namespace(), old.Name(), r => r.Child("spec")["replicas"] = 0);
            var all = owned.Where(r => r.Uid() != current.Uid()).Append(current).ToList();
            int Sum(string field) => all.Sum(r => JsonNumber.Int(r["status"]?[field]) ?? 0);
            var updated = JsonNumber.Int(current["status"]?["replicas"]) ?? 0;
            var available = Sum("availableReplicas");
            OwnedPods.WriteStatus(Store, Kinds.Deployment, deployment, status =>
            {
                var now = Json.Now();
                status["observedGeneration"] = JsonNumber.Long(deployment["metadata"]?["generation"]) ?? 1;
                status["replicas"] = Sum("replicas");
                status["updatedReplicas"] = updated;
                status["readyReplicas"] = Sum("readyReplicas");
                status["availableReplicas"] = available;
                status["unavailableReplicas"] = Math.Max(0, replicas - available);
                var isAvailable = available >= replicas;
                SetCondition(status, "Available", isAvailable ? "True" : "False",
                    isAvailable ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                    isAvailable ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now);
                var rolledOut = updated == replicas && JsonNumber.Int(current["status"]?["availableReplicas"]) >= replicas;
                SetCondition(status, "Progressing", "True", rolledOut ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                    rolledOut ? $"ReplicaSet \"{current.Name()}\" has successfully progressed." : $"ReplicaSet \"{current.Name()}\" is progressing.", now);
            });
        }
        return Task.CompletedTask;
    }

    private JsonObject? CreateReplicaSet(JsonObject deployment, string hash, int replicas, int revision)
    {
        var template = deployment["spec"]?["template"]?.DeepClone() as JsonObject ?? [];
        template.Child("metadata").Child("labels")[HashLabel] = hash;
        var selector = deployment["spec"]?["selector"]?.DeepClone() as JsonObject ?? [];
        selector.Child("matchLabels")[HashLabel] = hash;
        var labels = template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        try
        {
            return Store.Create(Kinds.ReplicaSet, new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{deployment.Name()}-{hash}",
                    ["namespace"] = deployment.Namespace(),
                    ["labels"] = labels,
                    ["annotations"] = new JsonObject
                    {
                        ["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(),
                        ["deployment.kubernetes.io/max-replicas"] = (replicas + 1).ToString(),
                        ["deployment.kubernetes.io/revision"] = revision.ToString(),
                    },
                    ["ownerReferences"] = new JsonArray(Json.OwnerReference(deployment)),
                },
                ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
            });
        }
        catch (StatusException e)
        {
            Cluster.Events.Record(deployment, Kinds.Deployment, "Warning", "FailedCreate", e.Message, ComponentName);
            return null;
        }
    }

    /// <summary>A short, stable hash of the pod template, spelled in the API server's safe alphabet.</summary>
    public static string TemplateHash(JsonNode? template)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(template?.ToJsonString() ?? "")) hash = (hash ^ b) * 16777619u;
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var text = new StringBuilder();
        while (hash > 0) { text.Append(alphabet[(int)(hash % 27)]); hash /= 27; }
        return text.ToString();
    }

    private static void SetCondition(JsonObject status, string type, string value, string reason, string message, string now)
    {
        var conditions = status.Array("conditions");
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is not null && (string?)existing["status"] == value && (string?)existing["reason"] == reason) return;
        var condition = new JsonObject
        {
            ["type"] = type, ["status"] = value, ["lastUpdateTime"] = now, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
        };
        if (existing is null) conditions.Add(condition);
        else conditions[conditions.IndexOf(existing)] = condition;
    }
}
