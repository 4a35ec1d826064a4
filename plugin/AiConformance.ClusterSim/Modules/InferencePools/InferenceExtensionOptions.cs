using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>The <c>inference-extension</c> component's options: a named fault (<see cref="InferenceFaults"/>).</summary>
public sealed record InferenceExtensionOptions(IInferenceFault Fault) : IComponentOptions<InferenceExtensionOptions>
{
    public static InferenceExtensionOptions Read(ComponentOptionReader options) =>
        new(options.Fault(InferenceFaults.Catalog, InferenceFaults.None));
}
