using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// The options of the <c>kueue</c> component: <c>fault</c> names a broken behaviour (<see cref="KueueFault"/>);
/// without it Kueue admits as the real one does.
/// </summary>
public sealed record KueueOptions(KueueFault Fault) : IComponentOptions<KueueOptions>
{
    public static KueueOptions Read(ComponentOptionReader options) =>
        new(options.Fault(KueueFault.Catalog, KueueFault.None));
}
