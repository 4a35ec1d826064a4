using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// Options of the <c>kuberay-operator</c> component: the namespace the operator is installed in (the Helm chart's
/// <c>ray-system</c> by default) and, for broken scenarios, the fault it has.
/// </summary>
public sealed record KubeRayOperatorOptions(string Namespace, IOperatorFault Fault) : IComponentOptions<KubeRayOperatorOptions>, IOperatorOptions
{
    public static KubeRayOperatorOptions Read(ComponentOptionReader options) => new(
        options.Text("namespace", "ray-system"),
        options.Fault<IOperatorFault>(OperatorFaults.Catalog, OperatorFaults.Working));
}
