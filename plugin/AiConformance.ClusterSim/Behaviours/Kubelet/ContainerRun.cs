using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>One container of a pod the kubelet runs: its current process and the state the pod status reports.</summary>
internal sealed class ContainerRun(string name, JsonObject spec, bool isInit)
{
    public string Name { get; } = name;
    public JsonObject Spec { get; } = spec;
    public bool IsInit { get; } = isInit;
    public string Image => (string?)Spec["image"] ?? "";
    public int RestartCount { get; set; }
    public string ContainerId { get; set; } = "";
    public DateTime? StartedAt { get; set; }
    public int? ExitCode { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DateTime? RestartAt { get; set; }
    public JsonObject? LastTerminated { get; set; }
    public Task<int>? Process { get; set; }
    public CancellationTokenSource? Stop { get; set; }
    public string WaitingReason { get; set; } = "ContainerCreating";

    public bool Running => Process is not null && ExitCode is null;

    /// <summary>
    /// Ready once running and, with a readinessProbe, once its initialDelaySeconds have passed and, for an HTTP or TCP
    /// probe, once the probe passed (an exec probe is taken to pass).
    /// </summary>
    public bool Ready => Running && !IsInit && (ReadyAt is null || DateTime.UtcNow >= ReadyAt) && ProbePassed != false;

    /// <summary>
    /// What the HTTP or TCP readiness probe says of the container (false until it has passed its success threshold);
    /// null without such a probe.
    /// </summary>
    public bool? ProbePassed { get; private set; }

    /// <summary>Probe results in a row that disagree with <see cref="ProbePassed"/>.</summary>
    private int resultsAgainst;

    public DateTime? NextProbeAt { get; set; }

    /// <summary>The readiness probe in flight: why it failed, or null when it passed.</summary>
    public Task<string?>? Probe { get; set; }

    /// <summary>A listener came or went while <see cref="Probe"/> was in flight: an unready container is probed again once it ends.</summary>
    public bool ProbeAgainAtOnce { get; set; }

    /// <summary>A new process starts unready when its readiness is probed through the network, and is probed afresh.</summary>
    public void ResetReadiness(bool probesTheNetwork)
    {
        ProbePassed = probesTheNetwork ? false : null;
        NextProbeAt = null;
        Probe = null;
        ProbeAgainAtOnce = false;
        resultsAgainst = 0;
    }

    /// <summary>
    /// Takes one probe result as the kubelet's prober does: readiness turns only after <c>failureThreshold</c> failures
    /// (3 by default) or <c>successThreshold</c> successes (1) in a row, so one slow answer does not empty a Service.
    /// </summary>
    public void Probed(bool passed)
    {
        if (passed == ProbePassed) { resultsAgainst = 0; return; }
        var probe = Spec["readinessProbe"];
        var threshold = passed ? JsonNumber.Int(probe?["successThreshold"]) ?? 1 : JsonNumber.Int(probe?["failureThreshold"]) ?? 3;
        if (++resultsAgainst < threshold) return;
        ProbePassed = passed;
        resultsAgainst = 0;
    }

    /// <summary>When the readiness probe first passes; null without a probe.</summary>
    public DateTime? ReadyAt { get; set; }
    public bool Terminated => ExitCode is not null && RestartAt is null;

    public JsonObject TerminatedState() => new()
    {
        ["exitCode"] = ExitCode,
        ["reason"] = ExitCode == 0 ? "Completed" : "Error",
        ["startedAt"] = Timestamp(StartedAt),
        ["finishedAt"] = Timestamp(FinishedAt),
        ["containerID"] = ContainerId,
    };

    public JsonObject Status(bool started)
    {
        JsonObject state;
        if (Running) state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamp(StartedAt) } };
        else if (Terminated) state = new JsonObject { ["terminated"] = TerminatedState() };
        else state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = WaitingReason } };
        var status = new JsonObject
        {
            ["name"] = Name,
            ["state"] = state,
            ["lastState"] = LastTerminated is null ? new JsonObject() : new JsonObject { ["terminated"] = LastTerminated.DeepClone() },
            ["ready"] = Ready,
            ["restartCount"] = RestartCount,
            ["image"] = Image,
            ["imageID"] = started ? $"{Image.Split(':')[0]}@sha256:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Image))).ToLowerInvariant()}" : "",
            ["started"] = Running,
        };
        if (ContainerId.Length > 0) status["containerID"] = ContainerId;
        return status;
    }

    public static string? Timestamp(DateTime? at) => at?.ToString("yyyy-MM-ddTHH:mm:ssZ");
}
