using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.PodGroups;

/// <summary>
/// The options of a PodGroup scheduler component (<c>volcano</c>, <c>kai-scheduler</c>, <c>coscheduling</c>,
/// <c>workload-api</c>): <c>schedulerName</c> (the pods' <c>spec.schedulerName</c> it serves; null: the component's
/// own) and <c>fault</c> (<see cref="GangFault"/>).
/// </summary>
public sealed record GangSchedulerOptions(string? SchedulerName, GangFault Fault) : IComponentOptions<GangSchedulerOptions>
{
    public static GangSchedulerOptions Read(ComponentOptionReader options) => new(
        options.Text("schedulerName") is { Length: 0 } empty ? options.Refuse<string?>("schedulerName", empty, "is empty; leave it out for the scheduler's own name", null)
            : options.Text("schedulerName"),
        options.Fault(GangFault.Catalog, GangFault.None));
}
