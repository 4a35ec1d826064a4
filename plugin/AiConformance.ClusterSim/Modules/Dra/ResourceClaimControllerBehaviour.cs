using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;
using StatusException = AiConformance.ClusterSim.Store.StatusException;

namespace AiConformance.ClusterSim.Modules.Dra;

/// <summary>
/// kube-controller-manager's resourceclaim controller: creates a pod's claims from its ResourceClaimTemplates
/// (named <c>&lt;pod&gt;-&lt;claim&gt;-&lt;random&gt;</c>, owned by the pod, annotated with the pod claim name) and
/// records them in <c>status.resourceClaimStatuses</c>; removes reservations of pods that are gone or finished,
/// deallocates claims nobody reserves, and deletes finished pods' generated claims.
/// </summary>
public sealed class ResourceClaimControllerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "resourceclaim-controller";
    public const string PodClaimNameAnnotation = "resource.kubernetes.io/pod-claim-name";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.ResourceClaim, Kinds.ResourceClaimTemplate];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var pods = Store.List(Kinds.Pod);
        foreach (var pod in pods.Where(p => !p.IsDeleting() && !p.IsTerminal()))
            CreateClaimsFromTemplates(pod);
        var podsByUid = pods.ToDictionary(p => p.Uid(), StringComparer.Ordinal);
        foreach (var claim in Store.List(Kinds.ResourceClaim))
            ReleaseClaim(claim, podsByUid);
        return Task.CompletedTask;
    }

    private void CreateClaimsFromTemplates(JsonObject pod)
    {
        var ns = pod.Namespace()!;
        var statuses = (pod["status"]?["resourceClaimStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var added = new List<JsonObject>();
        foreach (var podClaim in (pod["spec"]?["resourceClaims"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var claimName = (string?)podClaim["name"] ?? "";
            if ((string?)podClaim["resourceClaimTemplateName"] is not { } templateName) continue;
            if (statuses.Any(s => (string?)s["name"] == claimName)) continue;
            var existing = Store.List(Kinds.ResourceClaim, ns, c => c.ControllerUid() == pod.Uid()
                && (string?)c["metadata"]?["annotations"]?[PodClaimNameAnnotation] == claimName).FirstOrDefault();
            var created = existing ?? CreateFromTemplate(pod, claimName, templateName);
            if (created is null) continue;
            added.Add(new JsonObject { ["name"] = claimName, ["resourceClaimName"] = created.Name() });
        }
        if (added.Count == 0) return;
        Store.Mutate(Kinds.Pod, ns, pod.Name(), p =>
        {
            var list = p.Child("status").Array("resourceClaimStatuses");
            foreach (var entry in added)
                if (!list.OfType<JsonObject>().Any(s => (string?)s["name"] == (string?)entry["name"])) list.Add(entry);
        }, statusOnly: true);
    }

    private JsonObject? CreateFromTemplate(JsonObject pod, string claimName, string templateName)
    {
        var ns = pod.Namespace()!;
        var template = Store.Get(Kinds.ResourceClaimTemplate, ns, templateName);
        if (template is null)
        {
            Cluster.Events.Record(pod, Kinds.Pod, "Warning", "FailedResourceClaimCreation",
                $"PodResourceClaim {claimName}: resource claim template \"{templateName}\": resourceclaimtemplate.resource.k8s.io \"{templateName}\" not found",
                "resource_claim");
            return null;
        }
        var prefix = Truncate($"{pod.Name()}-{claimName}", 57) + "-";
        var metadata = new JsonObject
        {
            ["name"] = prefix + Names.Suffix(),
            ["generateName"] = prefix,
            ["namespace"] = ns,
            ["annotations"] = new JsonObject { [PodClaimNameAnnotation] = claimName },
            ["ownerReferences"] = new JsonArray(Json.OwnerReference(pod)),
        };
        if (template["spec"]?["metadata"]?["labels"] is JsonObject labels) metadata["labels"] = labels.DeepClone();
        if (template["spec"]?["metadata"]?["annotations"] is JsonObject annotations)
            foreach (var (key, value) in annotations) metadata.Child("annotations")[key] = value?.DeepClone();
        return Store.Create(Kinds.ResourceClaim, new JsonObject
        {
            ["apiVersion"] = "resource.k8s.io/v1",
            ["kind"] = "ResourceClaim",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?["spec"]?.DeepClone() ?? new JsonObject(),
        });
    }

    private void ReleaseClaim(JsonObject claim, Dictionary<string, JsonObject> podsByUid)
    {
        var ns = claim.Namespace();
        if (!Cluster.Options<Accelerators.ResourceClaimControllerOptions>(Name).DeallocateClaims)
        {
            if (claim.IsDeleting() && HasFinalizer(claim)) RemoveFinalizer(claim);
            return;
        }
        var reserved = (claim["status"]?["reservedFor"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var stale = reserved.Where(r => (string?)r["resource"] == "pods" && !WillStillUse(r, ns, podsByUid)).ToList();
        var allocated = claim["status"]?["allocation"] is not null;
        var remaining = reserved.Count - stale.Count;
        if (stale.Count > 0 || (allocated && remaining == 0))
        {
            Store.Mutate(Kinds.ResourceClaim, ns, claim.Name(), c =>
            {
                var status = c.Child("status");
                var list = status.Array("reservedFor");
                foreach (var entry in list.OfType<JsonObject>().Where(r => stale.Any(s => (string?)s["uid"] == (string?)r["uid"])).ToList())
                    list.Remove(entry);
                if (list.Count > 0) return;
                status.Remove("reservedFor");
                status.Remove("allocation");
            }, statusOnly: true);
            if (allocated && remaining == 0) Cluster.Log.Info(Name, $"deallocated {ns}/{claim.Name()}");
        }
        if (remaining == 0 && HasFinalizer(claim)) RemoveFinalizer(claim);
        var owner = claim.ControllerUid();
        if (owner is not null && podsByUid.TryGetValue(owner, out var ownerPod) && ownerPod.IsTerminal() && !claim.IsDeleting())
        {
            try { Store.Delete(Kinds.ResourceClaim, ns, claim.Name()); }
            catch (StatusException e) when (e.Code == 404) { }
        }
    }

    /// <summary>
    /// Whether the reserving pod still exists and may still run. A pod missing from the pass's snapshot may have been
    /// created (and scheduled onto this claim) after the snapshot was taken, so, as the real controller does before
    /// removing a reservation, it is looked up again: only a pod that is really gone (or replaced) loses it.
    /// </summary>
    private bool WillStillUse(JsonObject reservation, string? ns, Dictionary<string, JsonObject> podsByUid)
    {
        var uid = (string?)reservation["uid"] ?? "";
        var pod = podsByUid.GetValueOrDefault(uid) ?? Store.Get(Kinds.Pod, ns, (string?)reservation["name"] ?? "");
        if (pod is null || pod.Uid() != uid) return false;
        return !pod.IsTerminal() && !(pod.IsDeleting() && pod.NodeName() is null);
    }

    private static bool HasFinalizer(JsonObject claim) =>
        (claim["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => (string?)f == SchedulerBehaviour.DeleteProtectionFinalizer);

    private void RemoveFinalizer(JsonObject claim) =>
        Store.Mutate(Kinds.ResourceClaim, claim.Namespace(), claim.Name(), c =>
        {
            var finalizers = c.Metadata().Array("finalizers");
            foreach (var f in finalizers.Where(f => (string?)f == SchedulerBehaviour.DeleteProtectionFinalizer).ToList()) finalizers.Remove(f);
            if (finalizers.Count == 0) c.Metadata().Remove("finalizers");
        });

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
