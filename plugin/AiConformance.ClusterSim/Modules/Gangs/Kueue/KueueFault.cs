using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// How the simulated Kueue admits a pod set and releases its quota. The healthy behaviour is all-or-nothing: a pod
/// set is admitted with its whole count when the quota has room for all of it, else not at all; quota is released
/// when the workload finishes or goes away. Broken scenarios select a subclass by name (<c>fault:</c>).
/// </summary>
public class KueueFault
{
    public static readonly KueueFault None = new();

    public static readonly FaultCatalog<KueueFault> Catalog = new("a kueue fault", new Dictionary<string, Func<KueueFault>>
    {
        [AdmitsPartially.Name] = () => new AdmitsPartially(),
        [NeverAdmits.Name] = () => new NeverAdmits(),
        [KeepsQuotaAfterWorkloadsEnd.Name] = () => new KeepsQuotaAfterWorkloadsEnd(),
    });

    /// <summary>How many of <paramref name="count"/> pods are admitted when the quota has room for <paramref name="fitting"/>.</summary>
    public virtual int Admitted(int count, int fitting) => fitting >= count ? count : 0;

    /// <summary>Whether the quota of a workload that finished or was deleted is given back.</summary>
    public virtual bool ReleasesQuota => true;
}

/// <summary>Admits as many members as the quota holds and shrinks the Job to them: the group runs in part.</summary>
public sealed class AdmitsPartially : KueueFault
{
    public const string Name = "admits-partially";

    public override int Admitted(int count, int fitting) => Math.Min(count, fitting);
}

/// <summary>Never reserves quota, whatever room the queue has: the group waits for ever.</summary>
public sealed class NeverAdmits : KueueFault
{
    public const string Name = "never-admits";

    public override int Admitted(int count, int fitting) => 0;
}

/// <summary>Keeps counting the quota of workloads that ended, so the queue's usage never returns to zero.</summary>
public sealed class KeepsQuotaAfterWorkloadsEnd : KueueFault
{
    public const string Name = "keeps-quota";

    public override bool ReleasesQuota => false;
}
