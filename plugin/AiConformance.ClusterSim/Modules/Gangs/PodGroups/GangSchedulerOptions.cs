using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Gangs.PodGroups;

/// <summary>
/// The options of a PodGroup scheduler component (<c>volcano</c>, <c>kai-scheduler</c>, <c>coscheduling</c>):
/// <c>schedulerName</c> (the pods' <c>spec.schedulerName</c> it serves; default the project's) and <c>fault</c>
/// (<see cref="GangFault"/>).
/// </summary>
public sealed record GangSchedulerOptions(string SchedulerName, GangFault Fault)
{
    private static readonly string[] Known = ["fault", "schedulerName"];

    public static GangSchedulerOptions From(ComponentOptions? options, string defaultSchedulerName)
    {
        var unknown = (options?.Options?.Keys.ToList() ?? []).Where(key => !Known.Contains(key, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new ScenarioException($"unknown option(s) {string.Join(", ", unknown)} (known: {string.Join(", ", Known)})");
        var name = options?.Get("schedulerName") ?? defaultSchedulerName;
        if (name.Length == 0) throw new ScenarioException("option schedulerName is empty");
        return new GangSchedulerOptions(name, GangFault.Named(options?.Get("fault")));
    }
}
