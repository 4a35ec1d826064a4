using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>How a broken gateway's support of InferencePools misbehaves; the default members are a conformant one's.</summary>
public interface IInferenceFault
{
    /// <summary>False: the gateway asks the picker, then sends the request to any endpoint of the pool instead of the picked one.</summary>
    bool FollowsPicker => true;

    /// <summary>True: with the picker unreachable, every pool fails open, whatever its failureMode says.</summary>
    bool AlwaysFailsOpen => false;

    /// <summary>False: backendRefs to InferencePools are drawn with equal weights, whatever their weights say.</summary>
    bool HonoursPoolWeights => true;
}

/// <summary>The named faults of the <c>inference-extension</c> component (<c>fault:</c> option).</summary>
public static class InferenceFaults
{
    public static readonly IInferenceFault None = new Conformant();

    public static readonly FaultCatalog<IInferenceFault> Catalog = new("an inference-extension fault", new Dictionary<string, Func<IInferenceFault>>
    {
        ["ignores-picker"] = () => new PickerIgnored(),
        ["always-fails-open"] = () => new FailsOpenAlways(),
        ["ignores-pool-weights"] = () => new PoolWeightsIgnored(),
    });

    private sealed class Conformant : IInferenceFault;

    private sealed class PickerIgnored : IInferenceFault
    {
        public bool FollowsPicker => false;
    }

    private sealed class PoolWeightsIgnored : IInferenceFault
    {
        public bool HonoursPoolWeights => false;
    }

    private sealed class FailsOpenAlways : IInferenceFault
    {
        public bool AlwaysFailsOpen => true;
    }
}
