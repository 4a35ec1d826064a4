using AiConformance.ClusterSim.Scenarios;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// Options of the <c>kuberay-operator</c> component: the namespace the operator is installed in (the Helm chart's
/// <c>ray-system</c> by default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record KubeRayOperatorOptions(string Namespace, IOperatorFault Fault)
{
    private static readonly string[] Known = ["namespace", "fault"];

    private sealed class Working : IOperatorFault;

    public static (KubeRayOperatorOptions Options, IReadOnlyList<string> Problems) Bind(ComponentOptions? component)
    {
        var values = component?.Options ?? [];
        var problems = values.Keys.Where(key => !Known.Contains(key, StringComparer.Ordinal))
            .Select(key => $"unknown option '{key}'; known: {string.Join(", ", Known)}").ToList();
        IOperatorFault? fault = null;
        if (values.TryGetValue("fault", out var faultName) && !OperatorFaults.TryGet(faultName, out fault))
            problems.Add($"fault '{faultName}' is not an operator fault; known: {string.Join(", ", OperatorFaults.Names)}");
        return (new KubeRayOperatorOptions(values.GetValueOrDefault("namespace") ?? "ray-system", fault ?? new Working()), problems);
    }
}
