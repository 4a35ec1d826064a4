using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Serving;

/// <summary>What a broken serving platform's pod injector does differently from a working one.</summary>
public interface IServingInjectorFault
{
    /// <summary>Whether it rewrites a model server that runs one phase of inference into one that runs both.</summary>
    bool MergesPhases => false;
}

/// <summary>The injector's faults, by the name a scenario's <c>fault:</c> option gives.</summary>
public static class ServingInjectorFaults
{
    public static readonly FaultCatalog<IServingInjectorFault> Catalog = new("a serving injector fault", new Dictionary<string, Func<IServingInjectorFault>>
    {
        ["phases-in-one-pod"] = () => new PhasesInOnePod(),
    });
}

/// <summary>
/// The platform serves every model in one pod: its injector drops a <c>serve-model</c> container's <c>--phase</c>
/// choice (and a decode instance's <c>--prefill-url</c>), so each pod does prefill and decode itself.
/// </summary>
public sealed class PhasesInOnePod : IServingInjectorFault
{
    public bool MergesPhases => true;
}
