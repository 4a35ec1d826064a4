using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.PodGroups;

/// <summary>
/// How a simulated PodGroup scheduler treats a group that fits only in part. The healthy behaviour is the gang's:
/// the members found a place are bound only when at least <c>minMember</c> of the group can run, else none is.
/// Broken scenarios select a subclass by name (<c>fault:</c>).
/// </summary>
public class GangFault
{
    public static readonly GangFault None = new();

    public static readonly FaultCatalog<GangFault> Catalog = new("a gang scheduler fault", new Dictionary<string, Func<GangFault>>
    {
        [BindsOneByOne.Name] = () => new BindsOneByOne(),
    });

    /// <summary>Whether members that found a place are bound although fewer than <c>minMember</c> can run.</summary>
    public virtual bool BindsBelowMinMember => false;
}

/// <summary>Binds each member that finds a place, as a scheduler without the gang plugin does: the group runs in part.</summary>
public sealed class BindsOneByOne : GangFault
{
    public const string Name = "binds-one-by-one";

    public override bool BindsBelowMinMember => true;
}
