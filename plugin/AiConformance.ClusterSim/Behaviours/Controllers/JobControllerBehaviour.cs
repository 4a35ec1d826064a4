using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Controllers;

/// <summary>
/// The Job controller: keeps up to <c>parallelism</c> pods running until <c>completions</c> succeeded (NonIndexed or
/// Indexed, with the completion index label, annotation and JOB_COMPLETION_INDEX), honours <c>suspend</c> and
/// <c>backoffLimit</c>, and reports active/ready/succeeded/failed and the SuccessCriteriaMet/Complete or
/// FailureTarget/Failed conditions.
/// </summary>
public sealed class JobControllerBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "job-controller";
    private const string IndexKey = "batch.kubernetes.io/job-completion-index";

    public override string Name => ComponentName;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Job, Kinds.Pod];

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var pods = Store.List(Kinds.Pod);
        foreach (var job in Store.List(Kinds.Job).Where(j => !j.IsDeleting()))
            Reconcile(job, OwnedPods.Of(pods, job));
        return Task.CompletedTask;
    }

    private void Reconcile(JsonObject job, List<JsonObject> pods)
    {
        var spec = job["spec"] as JsonObject ?? [];
        var finished = Conditions(job).Any(c => (string?)c["type"] is "Complete" or "Failed" && (string?)c["status"] == "True");
        var active = pods.Where(OwnedPods.IsActive).ToList();
        var succeeded = pods.Where(p => p.Phase() == "Succeeded").ToList();
        var failed = pods.Count(p => p.Phase() == "Failed");
        var parallelism = JsonNumber.Int(spec["parallelism"]) ?? 1;
        var completions = JsonNumber.Int(spec["completions"]);
        var indexed = (string?)spec["completionMode"] == "Indexed";
        var suspended = (bool?)spec["suspend"] == true;
        var succeededIndexes = succeeded.Select(p => p.Label(IndexKey)).OfType<string>().Select(int.Parse).Distinct().Order().ToList();
        var succeededCount = indexed ? succeededIndexes.Count : succeeded.Count;
        var complete = completions is { } c ? succeededCount >= c : succeeded.Count > 0 && active.Count == 0;
        var backoffExceeded = failed > (JsonNumber.Int(spec["backoffLimit"]) ?? 6);

        if (!finished && !suspended && !complete && !backoffExceeded)
        {
            var wanted = Math.Min(parallelism, (completions ?? parallelism) - succeededCount) - active.Count;
            if (indexed)
            {
                var busy = active.Select(p => p.Label(IndexKey)).OfType<string>().Select(int.Parse).Concat(succeededIndexes).ToHashSet();
                foreach (var index in Enumerable.Range(0, completions ?? parallelism).Where(i => !busy.Contains(i)).Take(Math.Max(0, wanted)))
                    CreatePod(job, index);
            }
            else
            {
                for (var i = 0; i < wanted; i++) CreatePod(job, null);
            }
        }
        if (suspended || backoffExceeded || (complete && !finished))
            foreach (var pod in active) OwnedPods.TryDelete(Store, pod);

        OwnedPods.WriteStatus(Store, Kinds.Job, job, status =>
        {
            var now = Json.Now();
            status["active"] = suspended || complete || backoffExceeded ? 0 : active.Count;
            status["ready"] = active.Count(p => p.IsReady());
            status["succeeded"] = succeededCount;
            status["failed"] = failed;
            status["terminating"] = pods.Count(p => p.IsDeleting());
            status["uncountedTerminatedPods"] = new JsonObject();
            if (indexed) status["completedIndexes"] = Ranges(succeededIndexes);
            if (!suspended) status["startTime"] ??= now;
            if (suspended) SetCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
            else if (status["conditions"] is JsonArray && Conditions(status).Any(x => (string?)x["type"] == "Suspended"))
                SetCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now);
            if (finished) return;
            if (complete)
            {
                SetCondition(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
                SetCondition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
                status["completionTime"] = now;
            }
            else if (backoffExceeded)
            {
                SetCondition(status, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
                SetCondition(status, "Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
            }
        });
    }

    private void CreatePod(JsonObject job, int? index)
    {
        var labels = new Dictionary<string, string>
        {
            ["batch.kubernetes.io/controller-uid"] = job.Uid(),
            ["batch.kubernetes.io/job-name"] = job.Name(),
            ["controller-uid"] = job.Uid(),
            ["job-name"] = job.Name(),
        };
        Dictionary<string, string>? annotations = null;
        var prefix = job.Name() + "-";
        if (index is { } i)
        {
            labels[IndexKey] = i.ToString();
            annotations = new() { [IndexKey] = i.ToString() };
            prefix = $"{job.Name()}-{i}-";
        }
        var pod = OwnedPods.FromTemplate(job, prefix + Names.Suffix(), prefix, labels, annotations);
        var spec = pod.Child("spec");
        if (index is not null)
        {
            if (spec["subdomain"] is not null) spec["hostname"] = $"{job.Name()}-{index}";
            foreach (var container in (spec["containers"] as JsonArray ?? []).Concat(spec["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
                container.Array("env").Add(new JsonObject
                {
                    ["name"] = "JOB_COMPLETION_INDEX",
                    ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = $"metadata.annotations['{IndexKey}']" } },
                });
        }
        try { Store.Create(Kinds.Pod, pod); }
        catch (StatusException e)
        {
            Cluster.Events.Record(job, Kinds.Job, "Warning", "FailedCreate", $"Error creating: {e.Message}", ComponentName);
        }
    }

    private static IEnumerable<JsonObject> Conditions(JsonObject obj) =>
        ((obj["status"] as JsonObject ?? obj)["conditions"] as JsonArray ?? []).OfType<JsonObject>();

    private static void SetCondition(JsonObject status, string type, string value, string reason, string message, string now)
    {
        var conditions = status.Array("conditions");
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is not null && (string?)existing["status"] == value) return;
        var condition = new JsonObject
        {
            ["type"] = type, ["status"] = value, ["lastProbeTime"] = now, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
        };
        if (existing is null) conditions.Add(condition);
        else conditions[conditions.IndexOf(existing)] = condition;
    }

    /// <summary>"0-2,5" as the Job status writes completed indexes.</summary>
    private static string Ranges(IReadOnlyList<int> indexes)
    {
        var parts = new List<string>();
        for (var i = 0; i < indexes.Count; i++)
        {
            var start = indexes[i];
            while (i + 1 < indexes.Count && indexes[i + 1] == indexes[i] + 1) i++;
            parts.Add(start == indexes[i] ? $"{start}" : $"{start}-{indexes[i]}");
        }
        return string.Join(',', parts);
    }
}
