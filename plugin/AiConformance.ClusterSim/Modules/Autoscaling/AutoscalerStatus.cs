using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>What cluster-autoscaler says of one node group in its status ConfigMap.</summary>
public sealed record NodeGroupStatus(string Name, int Registered, int Ready, int Upcoming, int Target, int Min, int Max, int Candidates);

/// <summary>
/// cluster-autoscaler's status ConfigMap <c>kube-system/cluster-autoscaler-status</c> in its structured (YAML) format
/// of 1.30 and later: <c>data.status</c> with the cluster-wide health, scale-up and scale-down conditions and the same
/// per node group (node counts, cloud provider target, min and max size), and the
/// <c>cluster-autoscaler.kubernetes.io/last-updated</c> annotation.
/// </summary>
public static class AutoscalerStatus
{
    public const string Namespace = "kube-system";
    public const string Name = "cluster-autoscaler-status";
    public const string LastUpdatedAnnotation = "cluster-autoscaler.kubernetes.io/last-updated";

    /// <summary>What the YAML says apart from the times: the status is rewritten when this changes.</summary>
    public static string Summary(IReadOnlyList<NodeGroupStatus> groups) =>
        string.Join(";", groups.Select(group => group.ToString()));

    public static JsonObject ConfigMap(IReadOnlyList<NodeGroupStatus> groups, DateTime now, DateTime started) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["annotations"] = new JsonObject { [LastUpdatedAnnotation] = GoTime(now) },
        },
        ["data"] = new JsonObject { ["status"] = Yaml(groups, now, started) },
    };

    private static string Yaml(IReadOnlyList<NodeGroupStatus> groups, DateTime now, DateTime started)
    {
        var probe = Rfc3339(now);
        var since = Rfc3339(started);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"time: {GoTime(now)}\nautoscalerStatus: Running\nclusterWide:\n");
        var registered = groups.Sum(group => group.Registered);
        var ready = groups.Sum(group => group.Ready);
        Health(text, "  ", registered, ready, groups.Sum(group => group.Upcoming), probe, since, null);
        Condition(text, "  ", "scaleUp", groups.Any(group => group.Upcoming > 0) ? "InProgress" : "NoActivity", probe, since);
        var candidates = groups.Sum(group => group.Candidates);
        Condition(text, "  ", "scaleDown", candidates > 0 ? "CandidatesPresent" : "NoCandidates", probe, since, candidates);
        text.Append("nodeGroups:\n");
        foreach (var group in groups)
        {
            text.Append(CultureInfo.InvariantCulture, $"- name: {group.Name}\n");
            Health(text, "  ", group.Registered, group.Ready, group.Upcoming, probe, since, group);
            Condition(text, "  ", "scaleUp", group.Upcoming > 0 ? "InProgress" : "NoActivity", probe, since);
            Condition(text, "  ", "scaleDown", group.Candidates > 0 ? "CandidatesPresent" : "NoCandidates", probe, since, group.Candidates);
        }
        return text.ToString();
    }

    private static void Health(StringBuilder text, string indent, int registered, int ready, int unregistered, string probe, string since, NodeGroupStatus? group)
    {
        text.Append(CultureInfo.InvariantCulture, $"{indent}health:\n{indent}  status: Healthy\n{indent}  nodeCounts:\n");
        text.Append(CultureInfo.InvariantCulture, $"{indent}    registered:\n{indent}      total: {registered}\n{indent}      ready: {ready}\n{indent}      notStarted: {registered - ready}\n");
        text.Append(CultureInfo.InvariantCulture, $"{indent}    longUnregistered: 0\n{indent}    unregistered: {unregistered}\n");
        if (group is not null)
            text.Append(CultureInfo.InvariantCulture, $"{indent}  cloudProviderTarget: {group.Target}\n{indent}  minSize: {group.Min}\n{indent}  maxSize: {group.Max}\n");
        text.Append(CultureInfo.InvariantCulture, $"{indent}  lastProbeTime: \"{probe}\"\n{indent}  lastTransitionTime: \"{since}\"\n");
    }

    private static void Condition(StringBuilder text, string indent, string name, string status, string probe, string since, int candidates = 0)
    {
        text.Append(CultureInfo.InvariantCulture, $"{indent}{name}:\n{indent}  status: {status}\n");
        if (candidates > 0) text.Append(CultureInfo.InvariantCulture, $"{indent}  candidates: {candidates}\n");
        text.Append(CultureInfo.InvariantCulture, $"{indent}  lastProbeTime: \"{probe}\"\n{indent}  lastTransitionTime: \"{since}\"\n");
    }

    private static string Rfc3339(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    /// <summary>Go's default time format, as the autoscaler writes its timestamps (<c>2026-11-30 12:00:00.1234567 +0000 UTC</c>).</summary>
    private static string GoTime(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + " +0000 UTC";
}
