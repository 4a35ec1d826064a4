using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Gangs.PodGroups;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;

namespace AiConformance.ClusterSim.Modules.Gangs.Coscheduling;

/// <summary>
/// The scheduler of kubernetes-sigs/scheduler-plugins with the Coscheduling plugin, installed as a second scheduler
/// (<c>scheduler-plugins-scheduler</c>) whose KubeSchedulerConfiguration is in the ConfigMap
/// <c>scheduler-plugins/scheduler-config</c>, as its chart installs it. Pods join a <c>scheduling.x-k8s.io</c>
/// PodGroup by the <c>scheduling.x-k8s.io/pod-group</c> label and are bound only when <c>minMember</c> of them fit
/// (Permit waits for the quorum; a group that cannot reach it is rejected whole). There are no queues. PodGroup
/// status as its controller writes it: phase Pending / PreScheduling / Scheduled / Running / Finished, the counts of
/// running, succeeded and failed members, and scheduleStartTime.
/// </summary>
public sealed class CoschedulingBehaviour : PodGroupSchedulerBehaviour
{
    public const string ComponentName = "coscheduling";
    public const string CrdFolder = "scheduler-plugins-coscheduling";
    public const string PodGroupLabel = "scheduling.x-k8s.io/pod-group";
    public const string DefaultName = "scheduler-plugins-scheduler";
    public const string ConfigNamespace = "scheduler-plugins";
    public const string ConfigMapName = "scheduler-config";

    public static readonly ResourceKind PodGroup = new("scheduling.x-k8s.io", "v1alpha1", "PodGroup", "podgroups", true);

    public override string Name => ComponentName;

    protected override ResourceKind PodGroupKind => PodGroup;

    protected override ResourceKind? QueueKind => null;

    protected override string DefaultSchedulerName => DefaultName;

    protected override string? GroupOf(JsonObject pod) => pod.Label(PodGroupLabel);

    protected override Task ReconcileAsync(CancellationToken cancellationToken)
    {
        PublishConfiguration(SchedulerName);
        return base.ReconcileAsync(cancellationToken);
    }

    protected override void WriteGroupStatus(JsonObject podGroup, GroupState state) => MutateStatus(PodGroup, podGroup, status =>
    {
        status["phase"] =
            state.Succeeded >= state.MinMember ? "Finished"
            : state.Running >= state.MinMember ? "Running"
            : state.Active.Count >= state.MinMember ? "Scheduled"
            : state.Members.Count(p => !p.IsTerminal()) >= state.MinMember ? "PreScheduling"
            : "Pending";
        status["running"] = state.Running;
        status["succeeded"] = state.Succeeded;
        status["failed"] = state.Failed;
        if (state.Members.Count > 0) status["scheduleStartTime"] ??= Json.Now();
    });

    /// <summary>The scheduler's configuration, where the chart puts it: the profile of its name enabling Coscheduling.</summary>
    private void PublishConfiguration(string schedulerName)
    {
        if (Store.Get(Kinds.Namespace, null, ConfigNamespace) is null)
            Store.Create(Kinds.Namespace, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ConfigNamespace } });
        if (Store.Get(Kinds.ConfigMap, ConfigNamespace, ConfigMapName) is not null) return;
        Store.Create(Kinds.ConfigMap, new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = ConfigMapName, ["namespace"] = ConfigNamespace },
            ["data"] = new JsonObject
            {
                ["scheduler-config.yaml"] = $"""
                    apiVersion: kubescheduler.config.k8s.io/v1
                    kind: KubeSchedulerConfiguration
                    leaderElection:
                      leaderElect: false
                    profiles:
                    - schedulerName: {schedulerName}
                      plugins:
                        multiPoint:
                          enabled:
                          - name: Coscheduling
                        queueSort:
                          enabled:
                          - name: Coscheduling
                          disabled:
                          - name: "*"
                      pluginConfig:
                      - name: Coscheduling
                        args:
                          permitWaitingTimeSeconds: 60

                    """,
            },
        });
    }
}
