using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Networks;

/// <summary>How a broken NIC hand-off misbehaves; the default members are a working one's.</summary>
public interface INicFault
{
    /// <summary>False: the claim is allocated and the pod runs, but its interface is never moved into the pod.</summary>
    bool MovesInterfaces => true;
}

/// <summary>The named faults of the <c>dranet</c> component (<c>fault:</c> option).</summary>
public static class NicFaults
{
    public static readonly INicFault None = new Working();

    public static readonly FaultCatalog<INicFault> Catalog = new("a dranet fault", new Dictionary<string, Func<INicFault>>
    {
        ["no-interface"] = () => new InterfaceNeverMoved(),
    });

    private sealed class Working : INicFault;

    private sealed class InterfaceNeverMoved : INicFault
    {
        public bool MovesInterfaces => false;
    }
}

/// <summary>Options of the <c>dranet</c> component: only, for broken scenarios, its fault.</summary>
public sealed record NicHandOffOptions(INicFault Fault) : IComponentOptions<NicHandOffOptions>
{
    public static NicHandOffOptions Read(ComponentOptionReader options) =>
        new(options.Fault(NicFaults.Catalog, NicFaults.None));
}
