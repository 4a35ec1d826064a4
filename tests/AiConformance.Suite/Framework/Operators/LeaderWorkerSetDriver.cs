using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>A LeaderWorkerSet (<c>leaderworkerset.x-k8s.io/v1</c>).</summary>
[KubernetesEntity(Group = "leaderworkerset.x-k8s.io", ApiVersion = "v1", Kind = "LeaderWorkerSet", PluralName = "leaderworkersets")]
public sealed class LeaderWorkerSet : CustomObject;

/// <summary>
/// Drives the LeaderWorkerSet operator through a small LeaderWorkerSet: two groups of a leader and one worker, each
/// pod the plugin image's echo server (<see cref="OperatorPods"/>). LWS creates a leader StatefulSet it owns, one worker
/// StatefulSet per group owned by the group's leader pod, and their pods, all labelled
/// <c>leaderworkerset.sigs.k8s.io/name</c>. The invalid instance asks for subgroups of 3 pods in groups of 2, which the
/// CRD's schema allows (subGroupSize has no bound there) and LWS's webhook denies ("subGroupSize cannot be larger than
/// size", <c>validateUpdateSubGroupPolicy</c> in pkg/webhooks/leaderworkerset_webhook.go). Ready is what LWS reports:
/// <c>readyReplicas</c> reaching the groups asked for, the <c>Available</c> condition True, and its
/// <c>hpaPodSelector</c> (where the release writes one) selecting one leader pod per group among the pods it controls.
/// </summary>
public sealed class LeaderWorkerSetDriver : IOperatorDriver
{
    private const string NameLabel = "leaderworkerset.sigs.k8s.io/name";
    private const int Groups = 2;
    private const int Size = 2;

    public string Kind => "LeaderWorkerSet";

    public int ExpectedPods => Groups * Size;

    public string WhatIsInvalid => $"leaderWorkerTemplate.size {Size} and subGroupPolicy.subGroupSize {Size + 1} (LWS requires subgroups no larger than a group; the CRD's schema does not)";

    public string CreatedFor(string name) => $"{NameLabel}={name}";

    public async Task<string> CreateValidAsync(TestNamespace ns, string name)
    {
        var created = await ns.CreateAsync(new LeaderWorkerSet { Metadata = new V1ObjectMeta { Name = name }, Spec = Spec(ns, subGroupSize: null) });
        return created.Metadata.Uid;
    }

    public Task CreateInvalidAsync(TestNamespace ns, string name) =>
        ns.CreateAsync(new LeaderWorkerSet { Metadata = new V1ObjectMeta { Name = name }, Spec = Spec(ns, subGroupSize: Size + 1) });

    public Task<string> WaitReadyAsync(TestNamespace ns, string name, IReadOnlyList<V1Pod> owned) =>
        OperatorStatus.WaitReadyAsync<LeaderWorkerSet>(ns, name, $"to report {Groups} ready groups, Available, and a leader pod it controls for each", item => IsReady(item, owned), Describe);

    public async Task<bool> ExistsAsync(TestNamespace ns, string name) => await ns.Objects<LeaderWorkerSet>().GetAsync(name, ns.Cancellation) is not null;

    public Task DeleteAsync(TestNamespace ns, string name) => ns.DeleteAsync<LeaderWorkerSet>(name);

    private static bool IsReady(LeaderWorkerSet set, IReadOnlyList<V1Pod> owned)
    {
        var status = set.Status;
        if ((int?)status?["readyReplicas"] < Groups || status?["readyReplicas"] is null) return false;
        if (!set.DescribeCondition("Available").StartsWith("Available=True", StringComparison.Ordinal)) return false;
        // Releases of LWS before its HPA support write no hpaPodSelector: ready groups and Available decide there.
        var terms = EqualityTerms((string?)status["hpaPodSelector"]);
        return terms is null || owned.Count(pod => terms.All(term => pod.Metadata.Labels?.TryGetValue(term.Key, out var value) == true && value == term.Value)) == Groups;
    }

    /// <summary>An equality-based selector (<c>a=b,c=d</c>, as LWS writes hpaPodSelector); null when there is none, or another form.</summary>
    private static List<KeyValuePair<string, string>>? EqualityTerms(string? selector)
    {
        if (string.IsNullOrEmpty(selector)) return null;
        var terms = selector.Split(',').Select(term => term.Split('=', 2)).ToList();
        return terms.Any(term => term.Length != 2 || term[0].EndsWith('!')) ? null : [.. terms.Select(term => KeyValuePair.Create(term[0], term[1]))];
    }

    private static string Describe(LeaderWorkerSet set)
    {
        var status = set.Status;
        if (status is null) return $"LeaderWorkerSet `{set.Metadata.Name}` has no status";
        return $"readyReplicas={status["readyReplicas"]?.ToJsonString() ?? "(none)"}/{Groups}, replicas={status["replicas"]?.ToJsonString() ?? "(none)"}, " +
               $"hpaPodSelector={(string?)status["hpaPodSelector"] ?? "(none)"}; {set.DescribeCondition("Available")}; {set.DescribeCondition("Progressing")}";
    }

    private static JsonObject Spec(TestNamespace ns, int? subGroupSize)
    {
        var template = new JsonObject
        {
            ["size"] = Size,
            ["workerTemplate"] = new JsonObject { ["spec"] = OperatorPods.EchoServer(ns) },
        };
        if (subGroupSize is { } subGroup) template["subGroupPolicy"] = new JsonObject { ["subGroupSize"] = subGroup };
        return new JsonObject { ["replicas"] = Groups, ["leaderWorkerTemplate"] = template };
    }
}
