using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The defaulting of kube-apiserver for the fields clients read back: pods (also inside templates), namespaces,
/// jobs, deployments, replica sets and autoscaling/v2 HPAs. Only absent fields are filled, as the real
/// defaulters do.
/// </summary>
public sealed class Defaults
{
    public void Apply(ResourceKind kind, JsonObject obj, JsonObject? old)
    {
        switch (kind.Group, kind.Plural)
        {
            case ("", "pods"):
                PodSpec(Obj(obj, "spec"));
                if (old is null) DefaultTolerations(Obj(obj, "spec"));
                if (old is null) obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(Obj(obj, "spec")) };
                break;
            case ("", "namespaces"):
                var labels = Obj(obj.Metadata(), "labels");
                labels["kubernetes.io/metadata.name"] = obj.Name();
                Set(Obj(obj, "spec"), "finalizers", () => new JsonArray("kubernetes"));
                if (old is null || obj["status"]?["phase"] is null)
                    obj["status"] = new JsonObject { ["phase"] = obj.Metadata()["deletionTimestamp"] is null ? "Active" : "Terminating" };
                break;
            case ("", "secrets"):
                Set(obj, "type", () => "Opaque");
                break;
            case ("", "persistentvolumeclaims"):
                Set(Obj(obj, "spec"), "volumeMode", () => "Filesystem");
                break;
            case ("batch", "jobs"):
                Job(obj);
                break;
            case ("apps", "deployments"):
                var spec = Obj(obj, "spec");
                Set(spec, "replicas", () => 1);
                Set(spec, "revisionHistoryLimit", () => 10);
                Set(spec, "progressDeadlineSeconds", () => 600);
                Set(spec, "strategy", () => new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" },
                });
                PodTemplate(spec);
                break;
            case ("autoscaling", "horizontalpodautoscalers") when kind.Version == "v2":
                var hpa = Obj(obj, "spec");
                Set(hpa, "minReplicas", () => 1);
                if (hpa["metrics"] is not JsonArray { Count: > 0 })
                    hpa["metrics"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "Resource",
                        ["resource"] = new JsonObject
                        {
                            ["name"] = "cpu",
                            ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                        },
                    });
                break;
            case ("apps", "replicasets"):
                Set(Obj(obj, "spec"), "replicas", () => 1);
                PodTemplate(Obj(obj, "spec"));
                break;
            case ("apps", "statefulsets"):
                var set = Obj(obj, "spec");
                Set(set, "replicas", () => 1);
                Set(set, "podManagementPolicy", () => "OrderedReady");
                Set(set, "revisionHistoryLimit", () => 10);
                Set(set, "updateStrategy", () => new JsonObject
                {
                    ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 },
                });
                Set(set, "persistentVolumeClaimRetentionPolicy", () => new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" });
                PodTemplate(set);
                break;
            case ("apps", "daemonsets"):
                var daemons = Obj(obj, "spec");
                Set(daemons, "revisionHistoryLimit", () => 10);
                Set(daemons, "updateStrategy", () => new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 },
                });
                PodTemplate(daemons);
                break;
        }
    }

    private static void Job(JsonObject job)
    {
        var spec = Obj(job, "spec");
        var hasCompletions = spec["completions"] is not null;
        var hasParallelism = spec["parallelism"] is not null;
        if (!hasCompletions && !hasParallelism) { spec["completions"] = 1; spec["parallelism"] = 1; }
        else if (!hasParallelism) spec["parallelism"] = 1;
        Set(spec, "backoffLimit", () => 6);
        Set(spec, "completionMode", () => "NonIndexed");
        Set(spec, "suspend", () => false);
        Set(spec, "podReplacementPolicy", () => "TerminatingOrFailed");
        var uid = job.Uid();
        if (uid is not null && spec["manualSelector"]?.GetValue<bool>() != true)
        {
            Set(spec, "selector", () => new JsonObject
            {
                ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid },
            });
            var labels = Obj(Obj(Obj(spec, "template"), "metadata"), "labels");
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = job.Name();
            labels["controller-uid"] = uid;
            labels["job-name"] = job.Name();
        }
        PodTemplate(spec);
        Set(Obj(Obj(spec, "template"), "spec"), "restartPolicy", () => "Never");
    }

    private static void PodTemplate(JsonObject spec) => PodSpec(Obj(Obj(spec, "template"), "spec"));

    private static void PodSpec(JsonObject spec)
    {
        Set(spec, "restartPolicy", () => "Always");
        Set(spec, "dnsPolicy", () => "ClusterFirst");
        Set(spec, "schedulerName", () => "default-scheduler");
        Set(spec, "terminationGracePeriodSeconds", () => 30);
        Set(spec, "securityContext", () => new JsonObject());
        Set(spec, "serviceAccountName", () => "default");
        Set(spec, "serviceAccount", () => spec.Str("serviceAccountName"));
        Set(spec, "enableServiceLinks", () => true);
        ContainerDefaults(spec);
    }

    /// <summary>The DefaultTolerationSeconds admission plugin: pods (not templates) tolerate not-ready/unreachable for 5 minutes.</summary>
    private static void DefaultTolerations(JsonObject spec)
    {
        Set(spec, "tolerations", () => new JsonArray());
        var tolerations = (JsonArray)spec["tolerations"]!;
        foreach (var taint in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (tolerations.OfType<JsonObject>().Any(t => t.Str("key") == taint || (t.Str("operator") == "Exists" && t.Str("key") is null))) continue;
            tolerations.Add(new JsonObject { ["key"] = taint, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
        }
    }

    private static void ContainerDefaults(JsonObject spec)
    {
        foreach (var list in new[] { "containers", "initContainers" })
        foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
        {
            Set(container, "terminationMessagePath", () => "/dev/termination-log");
            Set(container, "terminationMessagePolicy", () => "File");
            Set(container, "imagePullPolicy", () => PullPolicyFor(container.Str("image") ?? ""));
            Set(container, "resources", () => new JsonObject());
            if (container["resources"]?["limits"] is JsonObject limits && limits.Count > 0)
            {
                // Requests default to the limits, resource by resource.
                var resources = (JsonObject)container["resources"]!;
                var requests = resources["requests"] as JsonObject ?? [];
                foreach (var (name, limit) in limits)
                    if (requests[name] is null) requests[name] = limit?.DeepClone();
                resources["requests"] = requests;
            }
            foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
                Set(port, "protocol", () => "TCP");
        }
    }

    /// <summary>Always for <c>:latest</c> or an untagged image, else IfNotPresent (digests count as tags).</summary>
    private static string PullPolicyFor(string image)
    {
        if (image.Contains('@')) return "IfNotPresent";
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        return colon < 0 || lastSegment[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    private static string QosClass(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var anySet = false;
        var guaranteed = containers.Count > 0;
        foreach (var c in containers)
        {
            var requests = c["resources"]?["requests"] as JsonObject;
            var limits = c["resources"]?["limits"] as JsonObject;
            anySet |= requests?.Count > 0 || limits?.Count > 0;
            foreach (var resource in new[] { "cpu", "memory" })
            {
                var limit = limits?[resource]?.ToString();
                var request = requests?[resource]?.ToString() ?? limit;
                if (limit is null || request != limit) guaranteed = false;
            }
        }
        return guaranteed ? "Guaranteed" : anySet ? "Burstable" : "BestEffort";
    }

    private static JsonObject Obj(JsonObject parent, string property)
    {
        if (parent[property] is JsonObject child) return child;
        child = new JsonObject();
        parent[property] = child;
        return child;
    }

    private static void Set(JsonObject obj, string property, Func<JsonNode?> value)
    {
        if (obj[property] is null) obj[property] = value();
    }
}
