using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>How a broken gateway implementation misbehaves; the default members are a conformant one's.</summary>
public interface IGatewayFault
{
    /// <summary>False: the controller never accepts its GatewayClass (so nothing of it is ever programmed).</summary>
    bool AcceptsClass => true;

    /// <summary>False: Gateways and routes report Programmed, but the data plane has no route and answers 503.</summary>
    bool ProgramsRoutes => true;

    /// <summary>False: header matches are dropped from the routes' rules (a rule with one matches any header).</summary>
    bool MatchesHeaders => true;

    /// <summary>The index of the backend a request goes to, given the backends' weights (none all zero).</summary>
    int ChooseBackend(IReadOnlyList<int> weights) => WeightedChoice(weights);

    static int WeightedChoice(IReadOnlyList<int> weights)
    {
        var draw = Random.Shared.Next(weights.Sum());
        for (var i = 0; i < weights.Count; i++)
        {
            if (draw < weights[i]) return i;
            draw -= weights[i];
        }
        return weights.Count - 1;
    }
}

/// <summary>The named faults of the <c>gateway-api</c> component (<c>fault:</c> option).</summary>
public static class GatewayFaults
{
    public static readonly IGatewayFault None = new Conformant();

    public static readonly FaultCatalog<IGatewayFault> Catalog = new("a gateway fault", new Dictionary<string, Func<IGatewayFault>>
    {
        ["ignores-weights"] = () => new RoundRobinIgnoringWeights(),
        ["ignores-header-matches"] = () => new HeaderMatchesIgnored(),
        ["class-never-accepted"] = () => new ClassNeverAccepted(),
        ["nothing-programmed"] = () => new NothingProgrammed(),
    });

    private sealed class Conformant : IGatewayFault;

    /// <summary>Every backend of a rule in turn, whatever its weight (weight 0 included).</summary>
    private sealed class RoundRobinIgnoringWeights : IGatewayFault
    {
        private int next = -1;

        public int ChooseBackend(IReadOnlyList<int> weights) => (int)((uint)Interlocked.Increment(ref next) % (uint)weights.Count);
    }

    private sealed class HeaderMatchesIgnored : IGatewayFault
    {
        public bool MatchesHeaders => false;
    }

    private sealed class ClassNeverAccepted : IGatewayFault
    {
        public bool AcceptsClass => false;
    }

    private sealed class NothingProgrammed : IGatewayFault
    {
        public bool ProgramsRoutes => false;
    }
}
