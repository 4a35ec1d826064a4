using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Serving;

/// <summary>
/// Options of the <c>serving-injector</c> component: the namespace it is installed in (<c>serving-system</c> by
/// default) and, for broken scenarios, the fault its webhook has.
/// </summary>
public sealed record ServingInjectorOptions(string Namespace, IServingInjectorFault Fault) : IComponentOptions<ServingInjectorOptions>
{
    private sealed class Working : IServingInjectorFault;

    public static ServingInjectorOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "serving-system"),
        options.Fault<IServingInjectorFault>(ServingInjectorFaults.Catalog, new Working()));
}
