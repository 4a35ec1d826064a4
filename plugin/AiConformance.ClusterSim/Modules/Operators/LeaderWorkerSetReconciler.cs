using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Controllers;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// What LWS's controller does for one LeaderWorkerSet: the headless Service named after it and the leader
/// StatefulSet (both owned by the LeaderWorkerSet), and for each group's leader pod a worker StatefulSet of
/// <c>size - 1</c> replicas owned by that leader pod, every object labelled <c>leaderworkerset.sigs.k8s.io/name</c>,
/// pods also with their group-index, worker-index and group-key. The simulation has no StatefulSet controller, so this
/// one also does its part: the StatefulSets' pods (<c>&lt;lws&gt;-&lt;group&gt;</c> leaders,
/// <c>&lt;lws&gt;-&lt;group&gt;-&lt;worker&gt;</c> workers, owned by their StatefulSet, with the hostname and subdomain a
/// StatefulSet gives them) and their status. Then the LeaderWorkerSet's status as LWS writes it: replicas,
/// readyReplicas (groups whose every pod is ready), updatedReplicas, hpaPodSelector and the exclusive
/// <c>Available</c>/<c>Progressing</c> conditions.
/// </summary>
public static class LeaderWorkerSetReconciler
{
    private const string Prefix = "leaderworkerset.sigs.k8s.io/";
    public const string NameLabel = Prefix + "name";
    public const string GroupIndexLabel = Prefix + "group-index";
    public const string WorkerIndexLabel = Prefix + "worker-index";
    private const string GroupKeyLabel = Prefix + "group-key";
    private const string RevisionLabel = Prefix + "template-revision-hash";

    public static void Reconcile(IClusterStore store, JsonObject lws, IOperatorFault fault)
    {
        var (ns, name) = (lws.Namespace(), lws.Name());
        var replicas = (int)(JsonNumber.Long(lws["spec"]?["replicas"]) ?? 1);
        var size = (int)(JsonNumber.Long(lws["spec"]?["leaderWorkerTemplate"]?["size"]) ?? 1);
        var revision = Hash(lws["spec"]?["leaderWorkerTemplate"]?.ToJsonString() ?? "")[..10];
        if (store.Get(Kinds.Service, ns, name) is null) store.Create(Kinds.Service, HeadlessServices.For(lws, new JsonObject { [NameLabel] = lws.Name() }, new JsonObject { [NameLabel] = lws.Name() }, fault));
        var leaderSet = store.Get(Kinds.StatefulSet, ns, name) ?? store.Create(Kinds.StatefulSet,
            StatefulSet(lws, name, replicas, LeaderTemplate(lws), new() { [NameLabel] = name, [WorkerIndexLabel] = "0" }, new() { [RevisionLabel] = revision }, Json.OwnerReference(lws)));

        var groups = new List<IReadOnlyList<JsonObject>>();
        var leaders = SyncPods(store, leaderSet, replicas, group => $"{name}-{group}", group => LeaderPod(lws, leaderSet, group, size, revision));
        foreach (var leader in leaders.Where(OwnedPods.IsActive))
        {
            var group = int.Parse(leader.Label(GroupIndexLabel) ?? "0", CultureInfo.InvariantCulture);
            var workerSet = store.Get(Kinds.StatefulSet, ns, leader.Name()) ?? store.Create(Kinds.StatefulSet,
                StatefulSet(lws, leader.Name(), size - 1, Template(lws), GroupLabels(name, group, ns), new() { [RevisionLabel] = revision },
                    fault.OwnsWorkloads ? Json.OwnerReference(leader) : null));
            var workers = SyncPods(store, workerSet, size - 1, worker => $"{leader.Name()}-{worker + 1}", worker => WorkerPod(lws, workerSet, leader, group, worker + 1, size, revision));
            groups.Add([leader, .. workers]);
        }
        OwnedPods.WriteStatus(store, LeaderWorkerSetOperatorBehaviour.LeaderWorkerSet, lws, status => Describe(status, lws, replicas, groups, fault));
    }

    /// <summary>A StatefulSet's part: pods 0..replicas-1 by name, a failed one deleted (and recreated on a later pass), extra ones deleted.</summary>
    private static List<JsonObject> SyncPods(IClusterStore store, JsonObject set, int replicas, Func<int, string> podName, Func<int, JsonObject> pod)
    {
        var ns = set.Namespace();
        var pods = new List<JsonObject>();
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            var existing = store.Get(Kinds.Pod, ns, podName(ordinal));
            if (existing is not null && existing.ControllerUid() != set.Uid()) continue;
            if (existing is not null && existing.IsTerminal()) OwnedPods.TryDelete(store, existing);
            else pods.Add(existing ?? store.Create(Kinds.Pod, pod(ordinal)));
        }
        foreach (var extra in store.List(Kinds.Pod, ns, p => p.ControllerUid() == set.Uid()).Where(p => pods.All(kept => kept.Name() != p.Name())).Where(OwnedPods.IsActive))
            OwnedPods.TryDelete(store, extra);
        WriteSetStatus(store, set, replicas, pods);
        return pods;
    }

    private static void WriteSetStatus(IClusterStore store, JsonObject set, int replicas, IReadOnlyList<JsonObject> pods) =>
        OwnedPods.WriteStatus(store, Kinds.StatefulSet, set, status =>
        {
            status["observedGeneration"] = JsonNumber.Long(set["metadata"]?["generation"]) ?? 1;
            status["replicas"] = pods.Count;
            status["readyReplicas"] = pods.Count(p => p.IsReady());
            status["currentReplicas"] = pods.Count;
            status["updatedReplicas"] = pods.Count;
            status["availableReplicas"] = pods.Count(p => p.IsReady());
            status["collisionCount"] = 0;
            if (replicas == 0) status.Remove("readyReplicas");
        });

    private static JsonObject LeaderTemplate(JsonObject lws) =>
        lws["spec"]?["leaderWorkerTemplate"]?["leaderTemplate"] as JsonObject ?? Template(lws);

    private static JsonObject Template(JsonObject lws) => lws["spec"]?["leaderWorkerTemplate"]?["workerTemplate"] as JsonObject ?? [];

    private static Dictionary<string, string> GroupLabels(string name, int group, string? ns) => new()
    {
        [NameLabel] = name,
        [GroupIndexLabel] = group.ToString(CultureInfo.InvariantCulture),
        [GroupKeyLabel] = Hash($"{ns}/{name}-{group}"),
    };

    private static JsonObject LeaderPod(JsonObject lws, JsonObject set, int group, int size, string revision)
    {
        var labels = GroupLabels(lws.Name(), group, lws.Namespace());
        labels[WorkerIndexLabel] = "0";
        labels[RevisionLabel] = revision;
        return Pod(lws, set, LeaderTemplate(lws), $"{lws.Name()}-{group}", group, labels, new() { [Prefix + "size"] = size.ToString(CultureInfo.InvariantCulture) },
            leader: $"{lws.Name()}-{group}", worker: 0, size);
    }

    private static JsonObject WorkerPod(JsonObject lws, JsonObject set, JsonObject leader, int group, int worker, int size, string revision)
    {
        var labels = GroupLabels(lws.Name(), group, lws.Namespace());
        labels[WorkerIndexLabel] = worker.ToString(CultureInfo.InvariantCulture);
        labels[RevisionLabel] = revision;
        return Pod(lws, set, Template(lws), $"{leader.Name()}-{worker}", worker, labels,
            new() { [Prefix + "size"] = size.ToString(CultureInfo.InvariantCulture), [Prefix + "leader-name"] = leader.Name() }, leader.Name(), worker, size);
    }

    /// <summary>A StatefulSet's pod: its name, hostname and subdomain (the headless Service), the StatefulSet's labels, and LWS's environment.</summary>
    private static JsonObject Pod(JsonObject lws, JsonObject set, JsonObject template, string podName, int ordinal, Dictionary<string, string> labels,
        Dictionary<string, string> annotations, string leader, int worker, int size)
    {
        labels["statefulset.kubernetes.io/pod-name"] = podName;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
        var pod = OwnedPods.FromTemplate(set, template, podName, "", labels, annotations);
        pod.Metadata().Remove("generateName");
        var spec = pod["spec"]!.AsObject();
        spec["hostname"] = podName;
        spec["subdomain"] = lws.Name();
        foreach (var container in (spec["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var env = container.Array("env");
            env.Add(new JsonObject { ["name"] = "LWS_LEADER_ADDRESS", ["value"] = $"{leader}.{lws.Name()}.{lws.Namespace()}" });
            env.Add(new JsonObject { ["name"] = "LWS_GROUP_SIZE", ["value"] = size.ToString(CultureInfo.InvariantCulture) });
            env.Add(new JsonObject { ["name"] = "LWS_WORKER_INDEX", ["value"] = worker.ToString(CultureInfo.InvariantCulture) });
        }
        return pod;
    }

    private static JsonObject StatefulSet(JsonObject lws, string name, int replicas, JsonObject template, Dictionary<string, string> selector,
        Dictionary<string, string> extraLabels, JsonObject? owner)
    {
        var labels = new JsonObject(selector.Concat(extraLabels).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = lws.Namespace(), ["labels"] = labels };
        if (owner is not null) metadata["ownerReferences"] = new JsonArray(owner);
        var podTemplate = (JsonObject)template.DeepClone();
        var templateLabels = podTemplate.Child("metadata").Child("labels");
        foreach (var (key, value) in labels) templateLabels[key] = value?.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "StatefulSet",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["serviceName"] = lws.Name(),
                ["podManagementPolicy"] = "Parallel",
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject(selector.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))) },
                ["template"] = podTemplate,
            },
        };
    }

    private static void Describe(JsonObject status, JsonObject lws, int replicas, IReadOnlyList<IReadOnlyList<JsonObject>> groups, IOperatorFault fault)
    {
        var size = (int)(JsonNumber.Long(lws["spec"]?["leaderWorkerTemplate"]?["size"]) ?? 1);
        var ready = groups.Count(group => group.Count == size && group.All(p => p.IsReady()));
        status["observedGeneration"] = JsonNumber.Long(lws["metadata"]?["generation"]) ?? 1;
        status["replicas"] = groups.Count;
        status["readyReplicas"] = ready;
        status["updatedReplicas"] = groups.Count;
        status["hpaPodSelector"] = $"{NameLabel}={lws.Name()},{WorkerIndexLabel}=0";
        var available = fault.ReportsReady && ready == replicas;
        // LWS sets one of the two and the other False: they are exclusive.
        PodFacts.SetCondition(status, "Available", available ? "True" : "False", "AllGroupsReady", "All replicas are ready", probeTime: false);
        PodFacts.SetCondition(status, "Progressing", available ? "False" : "True", "GroupsProgressing", "Replicas are progressing", probeTime: false);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
}
