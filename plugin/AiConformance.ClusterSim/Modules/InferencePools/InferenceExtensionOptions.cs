using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>The <c>inference-extension</c> component's options: a named fault (<see cref="InferenceFaults"/>).</summary>
public sealed record InferenceExtensionOptions(IInferenceFault Fault)
{
    public static readonly IReadOnlyList<string> Keys = ["fault"];

    public static InferenceExtensionOptions From(ComponentOptions? options) =>
        new(InferenceFaults.Named(options?.Get("fault")) ?? InferenceFaults.None);

    /// <summary>What is wrong with the options, one line each (unknown keys, unknown faults).</summary>
    public static IEnumerable<string> Problems(string component, ComponentOptions options)
    {
        foreach (var key in (options.Options ?? []).Keys.Where(key => !Keys.Contains(key)))
            yield return $"components.{component}.options.{key} is not an option of {component}; known: {string.Join(", ", Keys)}";
        if (options.Get("fault") is { } fault && InferenceFaults.Named(fault) is null)
            yield return $"components.{component}.options.fault '{fault}' is not an inference-extension fault; known: {string.Join(", ", InferenceFaults.Names)}";
    }
}
