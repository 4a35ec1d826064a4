using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// The options of the <c>kueue</c> component: <c>fault</c> names a broken behaviour (<see cref="KueueFault"/>);
/// without it Kueue admits as the real one does.
/// </summary>
public sealed record KueueOptions(KueueFault Fault)
{
    private static readonly string[] Known = ["fault"];

    public static KueueOptions From(ComponentOptions? options)
    {
        var unknown = (options?.Options?.Keys.ToList() ?? []).Where(key => !Known.Contains(key, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new ScenarioException($"unknown option(s) {string.Join(", ", unknown)} (known: {string.Join(", ", Known)})");
        return new KueueOptions(KueueFault.Named(options?.Get("fault")));
    }
}
