using System.Text.Json.Nodes;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// Kubernetes' own gang scheduling, the native Workload API (<c>scheduling.k8s.io</c>, KEP-4671): a Workload whose
/// pod group template has the gang policy <c>minCount</c> N, a PodGroup made from that template, and N pods naming
/// the PodGroup in <c>spec.schedulingGroup</c>, placed by the default scheduler. The PodGroup names its template as
/// <c>podGroupTemplateRef.workload</c> in v1alpha2 and <c>workloadRef</c> in v1alpha3; v1alpha1 (Kubernetes 1.35) has
/// no PodGroup kind and is not driven (see <see cref="GangDrivers"/>). No queues: the capacity is a share of one node
/// (<see cref="NodeShareCapacity"/>), and the scheduler's verdict on a group that does not fit is on its members.
/// </summary>
public sealed class WorkloadApiPodGroups(string version)
    : PodGroupScheduler(new ApiKind(Group, version, "podgroups", "PodGroup"), "default-scheduler")
{
    public const string Group = "scheduling.k8s.io";
    public const string TemplateName = "members";

    /// <summary>The versions with a PodGroup kind, preferred first.</summary>
    public static readonly string[] Driven = ["v1alpha3", "v1alpha2"];

    private ApiKind Workload => new(Group, PodGroup.Version, "workloads", "Workload");

    public override string GangSizeField => "gang minCount";

    public override bool VerdictOnPodGroup => false;

    public override IGangCapacity Capacity(TestNamespace ns) => new NodeShareCapacity(ns);

    /// <summary>The group's Workload: one pod group template whose gang policy needs all <paramref name="members"/> at once.</summary>
    public override async Task DeclareAsync(TestNamespace ns, string group, int members)
    {
        var workload = new V1alpha3Workload
        {
            ApiVersion = Workload.ApiVersion,
            Kind = Workload.Kind,
            Metadata = new V1ObjectMeta { Name = group },
            Spec = new V1alpha3WorkloadSpec
            {
                PodGroupTemplates = [new V1alpha3PodGroupTemplate
                {
                    Name = TemplateName,
                    SchedulingPolicy = new V1alpha3PodGroupSchedulingPolicy { Gang = new V1alpha3GangSchedulingPolicy { MinCount = members } },
                }],
            },
        };
        await ns.CreateAsync(workload, Workload);
    }

    public override JsonObject PodGroupSpec(string group, int members, IGangCapacity capacity)
    {
        var spec = new JsonObject { ["schedulingPolicy"] = new JsonObject { ["gang"] = new JsonObject { ["minCount"] = members } } };
        if (PodGroup.Version == "v1alpha2")
            spec["podGroupTemplateRef"] = new JsonObject { ["workload"] = new JsonObject { ["workloadName"] = group, ["podGroupTemplateName"] = TemplateName } };
        else
            spec["workloadRef"] = new JsonObject { ["workloadName"] = group, ["templateName"] = TemplateName };
        return spec;
    }

    public override void Join(V1Pod pod, string group, IGangCapacity capacity) =>
        pod.Spec.SchedulingGroup = new V1PodSchedulingGroup { PodGroupName = group };

    public override bool SaysUnschedulable(CustomObject podGroup) => false;

    public override string Describe(CustomObject? podGroup) =>
        podGroup is null ? "not found" : $"conditions: {Conditions(podGroup.Status?["conditions"])}";
}
